-- One row describing the build the served tables come from, for the report and BI tools: the
-- scoring cutoff and prediction horizon, the last order date in the data, and the display
-- settings (var currency, an ISO 4217 code, and var festive_months as comma-separated text).
{%- set currency = currency_code() %}
{%- set festive_months = festive_month_numbers() %}

with

cutoffs as (
    select * from {{ ref('int_feature_cutoffs') }}
),

score_cutoff as (
    select
        as_of_date,
        horizon_days,
        data_end_date
    from cutoffs
    where cutoff_role = 'score'
),

final as (
    select
        as_of_date,
        cast(horizon_days as integer) as horizon_days,
        data_end_date,
        cast('{{ currency }}' as {{ dbt.type_string() }}) as currency,
        cast('{{ festive_months | join(",") }}' as {{ dbt.type_string() }}) as festive_months
    from score_cutoff
)

select * from final
