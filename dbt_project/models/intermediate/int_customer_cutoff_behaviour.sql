-- Purchase behaviour per cutoff and customer, from customer-day activity on or before the cutoff
-- only. One row per (as_of_date, customer) with at least one completed order by the cutoff.
{{ config(materialized='table') }}

with

cutoffs as (
    select * from {{ ref('int_feature_cutoffs') }}
),

daily_activity as (
    select * from {{ ref('int_customer_daily_activity') }}
),

activity_to_cutoff as (
    select
        cutoffs.as_of_date,
        cutoffs.cutoff_role,
        daily_activity.customer_id,
        daily_activity.order_date,
        daily_activity.completed_orders,
        daily_activity.returned_orders,
        daily_activity.online_completed_orders,
        daily_activity.completed_gross_amount,
        daily_activity.completed_discount_amount,
        daily_activity.spend_amount,
        {{ marts_days_between('daily_activity.order_date', 'cutoffs.as_of_date') }}
            as days_before_cutoff
    from cutoffs
    inner join daily_activity
        on cutoffs.as_of_date >= daily_activity.order_date
),

customer_totals as (
    select
        as_of_date,
        cutoff_role,
        customer_id,
        min(case when completed_orders > 0 then order_date end) as first_order_date,
        max(case when completed_orders > 0 then order_date end) as last_order_date,
        sum(completed_orders) as frequency,
        sum(returned_orders) as returned_orders,
        sum(online_completed_orders) as online_orders,
        sum(completed_gross_amount) as gross_amount,
        sum(completed_discount_amount) as discount_amount,
        sum(spend_amount) as monetary,
        sum(case when days_before_cutoff < 30 then spend_amount else 0 end) as spend_last_30d,
        sum(case when days_before_cutoff < 90 then spend_amount else 0 end) as spend_last_90d,
        sum(case when days_before_cutoff < 365 then spend_amount else 0 end) as spend_last_365d,
        sum(case when days_before_cutoff < 90 then completed_orders else 0 end) as orders_last_90d
    from activity_to_cutoff
    group by as_of_date, cutoff_role, customer_id
    having sum(completed_orders) > 0
),

with_spans as (
    select
        *,
        {{ marts_days_between('last_order_date', 'as_of_date') }}
            as recency_days,
        {{ marts_days_between('first_order_date', 'as_of_date') }}
            as tenure_days,
        {{ marts_days_between('first_order_date', 'last_order_date') }}
            as active_span_days
    from customer_totals
),

final as (
    select
        as_of_date,
        cutoff_role,
        customer_id,
        first_order_date,
        last_order_date,
        cast(recency_days as integer) as recency_days,
        cast(tenure_days as integer) as tenure_days,
        cast(frequency as bigint) as frequency,
        cast(monetary as decimal(18, 2)) as monetary,
        cast(monetary / frequency as decimal(18, 2)) as aov,
        cast(frequency * 30 as {{ marts_type_double() }})
        / (case when tenure_days > 30 then tenure_days else 30 end) as orders_per_month,
        case
            when frequency > 1
                then cast(active_span_days as {{ marts_type_double() }}) / (frequency - 1)
        end as avg_days_between_orders,
        cast(spend_last_30d as decimal(18, 2)) as spend_last_30d,
        cast(spend_last_90d as decimal(18, 2)) as spend_last_90d,
        cast(spend_last_365d as decimal(18, 2)) as spend_last_365d,
        cast(orders_last_90d as bigint) as orders_last_90d,
        cast(monetary as decimal(18, 2)) as clv_historical,
        cast(returned_orders as bigint) as returned_orders,
        {{ marts_safe_divide('returned_orders', 'frequency + returned_orders') }} as return_rate,
        {% if byod_has('discount') -%}
            case
                when gross_amount > 0 then {{ marts_safe_divide('discount_amount', 'gross_amount') }}
            end
        {%- else -%}
            cast(null as {{ marts_type_double() }})
        {%- endif %} as discount_share,
        {% if byod_has('channel') -%}
            {{ marts_safe_divide('online_orders', 'frequency') }}
        {%- else -%}
            cast(null as {{ marts_type_double() }})
        {%- endif %} as online_share
    from with_spans
)

select * from final
