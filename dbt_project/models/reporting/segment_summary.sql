-- One row per behavioural segment: size, revenue and the typical customer, with what the models
-- expect from the segment over the prediction horizon (var horizon_days) and the recommended
-- marketing action, the rule that named the segment and the numbers that earned the name, from
-- segment_profiles. The report's segment sections read this table.
{%- set horizon = var('horizon_days') | int %}

with

customers as (
    select * from {{ ref('customer_360') }}
),

profiles as (
    select * from {{ ref('segment_profiles') }}
),

segmented as (
    select * from customers
    where segment_id is not null
),

favourite_categories as (
    select
        segment_id,
        favourite_category,
        row_number() over (
            partition by segment_id order by count(*) desc, favourite_category asc
        ) as category_rank
    from segmented
    where favourite_category is not null
    group by segment_id, favourite_category
),

by_segment as (
    select
        segment_id,
        max(segment_name) as segment_name,
        count(*) as customers,
        sum(monetary) as net_revenue,
        {{ avg_double('recency_days') }} as avg_recency_days,
        {{ avg_double('tenure_days') }} as avg_tenure_days,
        {{ avg_double('frequency') }} as avg_frequency,
        {{ avg_double('monetary') }} as avg_monetary,
        {{ avg_double('aov') }} as avg_aov,
        {{ avg_double('distinct_categories') }} as avg_distinct_categories,
        {{ avg_double('case when is_active_90d then 1.0 else 0.0 end') }} as active_share,
        {{ avg_double('p_purchase_next_' ~ horizon ~ 'd') }} as avg_p_purchase_next_{{ horizon }}d,
        {{ avg_double('predicted_spend_next_' ~ horizon ~ 'd') }}
            as avg_predicted_spend_next_{{ horizon }}d,
        sum(predicted_spend_next_{{ horizon }}d) as expected_revenue_next_{{ horizon }}d,
        {{ avg_double('predicted_clv_12m') }} as avg_predicted_clv_12m
    from segmented
    group by segment_id
),

final as (
    select
        cast(by_segment.segment_id as integer) as segment_id,
        {{ dbt.cast('by_segment.segment_name', dbt.type_string()) }} as segment_name,
        cast(by_segment.customers as bigint) as customers,
        {{ safe_divide('by_segment.customers', 'sum(by_segment.customers) over ()') }}
            as customer_share,
        cast(by_segment.net_revenue as decimal(18, 2)) as net_revenue,
        {{ safe_divide('by_segment.net_revenue', 'sum(by_segment.net_revenue) over ()') }}
            as revenue_share,
        cast(by_segment.avg_recency_days as double) as avg_recency_days,
        cast(by_segment.avg_tenure_days as double) as avg_tenure_days,
        cast(by_segment.avg_frequency as double) as avg_frequency,
        cast(by_segment.avg_monetary as double) as avg_monetary,
        cast(by_segment.avg_aov as double) as avg_aov,
        cast(by_segment.avg_distinct_categories as double) as avg_distinct_categories,
        cast(by_segment.active_share as double) as active_share,
        cast(by_segment.avg_p_purchase_next_{{ horizon }}d as double)
            as avg_p_purchase_next_{{ horizon }}d,
        cast(by_segment.avg_predicted_spend_next_{{ horizon }}d as double)
            as avg_predicted_spend_next_{{ horizon }}d,
        cast(by_segment.expected_revenue_next_{{ horizon }}d as double)
            as expected_revenue_next_{{ horizon }}d,
        cast(by_segment.avg_predicted_clv_12m as double) as avg_predicted_clv_12m,
        {{ dbt.cast('favourite_categories.favourite_category', dbt.type_string()) }}
            as top_category,
        {{ dbt.cast('profiles.recommended_action', dbt.type_string()) }} as recommended_action,
        {{ dbt.cast('profiles.naming_rule', dbt.type_string()) }} as naming_rule,
        {{ dbt.cast('profiles.naming_reason', dbt.type_string()) }} as naming_reason
    from by_segment
    left join favourite_categories
        on
            by_segment.segment_id = favourite_categories.segment_id
            and favourite_categories.category_rank = 1
    left join profiles
        on by_segment.segment_id = profiles.segment_id
)

select * from final
