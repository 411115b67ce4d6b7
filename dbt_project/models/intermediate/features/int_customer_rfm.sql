-- RFM scores per cutoff and customer: quintiles (ntile(5)) of recency (reversed: more recent is
-- better), frequency and monetary among the customers of that cutoff, 1 (worst) to 5 (best).
-- Ties are split by customer_id so scores are deterministic and quintiles equal-sized.
-- rfm_segment names come from the R-by-FM grid documented in macros/rfm_scores.sql.

with

behaviour as (
    select * from {{ ref('int_customer_cutoff_behaviour') }}
),

scored as (
    select
        as_of_date,
        customer_id,
        ntile(5) over (partition by as_of_date order by recency_days desc, customer_id asc) as r_score,
        ntile(5) over (partition by as_of_date order by frequency asc, customer_id asc) as f_score,
        ntile(5) over (partition by as_of_date order by monetary asc, customer_id asc) as m_score
    from behaviour
),

with_fm as (
    select
        *,
        {{ rfm_fm_score('f_score', 'm_score') }} as fm_score
    from scored
),

final as (
    select
        as_of_date,
        customer_id,
        cast(r_score as integer) as r_score,
        cast(f_score as integer) as f_score,
        cast(m_score as integer) as m_score,
        cast(fm_score as integer) as fm_score,
        {{ dbt.concat([
            dbt.cast('r_score', dbt.type_string()),
            dbt.cast('f_score', dbt.type_string()),
            dbt.cast('m_score', dbt.type_string())
        ]) }} as rfm_score,
        {{ rfm_segment('r_score', 'fm_score') }} as rfm_segment
    from with_fm
)

select * from final
