-- One row per segment of the current run: size, share of customers and revenue (monetary), the
-- mean and median of each profiled feature in original units, the rule that named the segment
-- with the evidence that earned the name (computed once, by segment_model), and what marketing
-- should do: the marketing_action of that rule's row in the segment_definitions seed.
{%- set columns = segment_profile_columns() %}
{%- set evidence = segment_evidence_columns() %}

with

customer_segments as (
    select * from {{ ref('customer_segments') }}
),

customer_features as (
    select * from {{ ref('customer_features') }}
),

segment_model as (
    select * from {{ ref('segment_model') }}
),

segment_definitions as (
    select * from {{ ref('segment_definitions') }}
),

segment_naming as (
    select
        segment_id,
        {%- for metric in evidence %}
            max({{ metric }}) as {{ metric }},
        {%- endfor %}
        max(naming_rule) as naming_rule,
        max(naming_reason) as naming_reason
    from segment_model
    group by segment_id
),

segmented_customers as (
    select
        customer_segments.run_id,
        customer_segments.as_of_date,
        customer_segments.segment_id,
        customer_segments.segment_name,
        {%- for column in columns %}
            customer_features.{{ column }},
        {%- endfor %}
        customer_segments.customer_id
    from customer_segments
    inner join customer_features
        on customer_segments.customer_id = customer_features.customer_id
),

run_totals as (
    select
        count(*) as total_customers,
        sum(monetary) as total_revenue
    from segmented_customers
),

segment_summaries as (
    select
        run_id,
        as_of_date,
        segment_id,
        segment_name,
        {%- for column in columns %}
            avg(cast({{ column }} as {{ type_double() }})) as mean_{{ column }},
            percentile_cont(0.5) within group (
                order by cast({{ column }} as {{ type_double() }})
            ) as median_{{ column }},
        {%- endfor %}
        count(*) as customers,
        sum(monetary) as revenue
    from segmented_customers
    group by
        run_id,
        as_of_date,
        segment_id,
        segment_name
),

final as (
    select
        segment_summaries.run_id,
        segment_summaries.as_of_date,
        segment_summaries.segment_id,
        segment_summaries.segment_name,
        segment_summaries.customers,
        cast(segment_summaries.customers as {{ type_double() }})
        / run_totals.total_customers as share_of_customers,
        segment_summaries.revenue,
        cast(segment_summaries.revenue as {{ type_double() }})
        / nullif(run_totals.total_revenue, 0) as share_of_revenue,
        {%- for column in columns %}
            segment_summaries.mean_{{ column }},
            segment_summaries.median_{{ column }},
        {%- endfor %}
        segment_naming.naming_rule,
        segment_naming.naming_reason,
        {%- for metric in evidence %}
            segment_naming.{{ metric }},
        {%- endfor %}
        segment_definitions.marketing_action as recommended_action
    from segment_summaries
    cross join run_totals
    inner join segment_naming
        on segment_summaries.segment_id = segment_naming.segment_id
    left join segment_definitions
        on segment_naming.naming_rule = segment_definitions.naming_rule
)

select * from final
