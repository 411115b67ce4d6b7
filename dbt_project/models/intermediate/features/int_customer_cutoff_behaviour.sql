-- Purchase behaviour per cutoff and customer, from orders on or before the cutoff only. One row
-- per (as_of_date, customer) with at least one completed order by the cutoff.
-- One pass over the orders sums every cutoff side by side (a column per cutoff and measure), so
-- the orders are never joined to each cutoff; the columns are then turned back into a row per
-- cutoff.
{{ config(materialized='table') }}
{%- set cutoff_roles = cutoff_roles() %}
{#- Each measure's aggregate over the orders on or before one cutoff: {on_or_before} becomes that
    cutoff's date test, {minus_30d} etc. the date N days before it (the trailing N-day window is
    the orders after that date). Counts are count(): a sum() of ones keeps a 128-bit state, and
    this group by keeps 36 states a customer, which on big data outgrow the memory limit. -#}
{%- set measures = {
    'first_order_date': "min(case when {on_or_before} and is_completed then order_date end)",
    'last_order_date': "max(case when {on_or_before} and is_completed then order_date end)",
    'frequency': "count(case when {on_or_before} and is_completed then 1 end)",
    'returned_orders': "count(case when {on_or_before} and status = 'returned' then 1 end)",
    'online_orders': "count(case when {on_or_before} and is_completed and channel = 'online' then 1 end)",
    'gross_amount': "sum(case when {on_or_before} and is_completed then gross_amount else 0 end)",
    'discount_amount': "sum(case when {on_or_before} and is_completed then discount_amount else 0 end)",
    'monetary': "sum(case when {on_or_before} then spend_amount else 0 end)",
    'spend_last_30d': "sum(case when {on_or_before} and order_date > {minus_30d} then spend_amount else 0 end)",
    'spend_last_90d': "sum(case when {on_or_before} and order_date > {minus_90d} then spend_amount else 0 end)",
    'spend_last_365d': "sum(case when {on_or_before} and order_date > {minus_365d} then spend_amount else 0 end)",
    'orders_last_90d': "count(case when {on_or_before} and is_completed and order_date > {minus_90d} then 1 end)",
} %}
{%- set cutoff_date_columns = [] %}
{%- set per_cutoff_columns = [] %}
{%- for cutoff in cutoff_roles %}
    {%- set as_of_date = cutoff_as_of_date(cutoff.role) %}
    {%- do cutoff_date_columns.append(as_of_date ~ ' as ' ~ cutoff.role ~ '_as_of_date') %}
    {%- for days in [30, 90, 365] %}
        {%- do cutoff_date_columns.append(
            add_days(as_of_date, -1 * days) ~ ' as ' ~ cutoff.role ~ '_minus_' ~ days ~ 'd') %}
    {%- endfor %}
    {%- for name, aggregate in measures.items() %}
        {%- do per_cutoff_columns.append(aggregate
            | replace('{on_or_before}', 'order_date <= ' ~ cutoff.role ~ '_as_of_date')
            | replace('{minus_30d}', cutoff.role ~ '_minus_30d')
            | replace('{minus_90d}', cutoff.role ~ '_minus_90d')
            | replace('{minus_365d}', cutoff.role ~ '_minus_365d')
            ~ ' as ' ~ cutoff.role ~ '_' ~ name) %}
    {%- endfor %}
{%- endfor %}
{%- set measure_columns = [] %}
{%- for name in measures %}
    {%- do measure_columns.append(
        value_at_cutoff('cutoffs.cutoff_role', 'measures_per_cutoff', name) ~ ' as ' ~ name) %}
{%- endfor %}

with

cutoffs as (
    select * from {{ ref('int_feature_cutoffs') }}
),

orders as (
    select * from {{ ref('int_order_totals') }}
),

cutoff_dates as (
    select
        {{ cutoff_date_columns | join(',\n        ') }}
    from cutoffs
),

order_facts as (
    select
        orders.customer_id,
        orders.order_date,
        orders.status,
        orders.channel,
        orders.status = 'completed' as is_completed,
        orders.gross_amount,
        orders.discount_amount,
        orders.spend_amount,
        cutoff_dates.*
    from orders
    cross join cutoff_dates
),

measures_per_cutoff as (
    select
        customer_id,
        {{ per_cutoff_columns | join(',\n        ') }}
    from order_facts
    group by customer_id
),

customer_totals as (
    select
        cutoffs.as_of_date,
        cutoffs.cutoff_role,
        measures_per_cutoff.customer_id,
        {{ measure_columns | join(',\n        ') }}
    from measures_per_cutoff
    cross join cutoffs
),

customers_with_orders as (
    select * from customer_totals
    where frequency > 0
),

with_spans as (
    select
        *,
        {{ days_between('last_order_date', 'as_of_date') }}
            as recency_days,
        {{ days_between('first_order_date', 'as_of_date') }}
            as tenure_days,
        {{ days_between('first_order_date', 'last_order_date') }}
            as active_span_days
    from customers_with_orders
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
        {{ money_per('monetary', 'frequency') }} as aov,
        cast(frequency * 30 as {{ type_double() }})
        / (case when tenure_days > 30 then tenure_days else 30 end) as orders_per_month,
        case
            when frequency > 1
                then cast(active_span_days as {{ type_double() }}) / (frequency - 1)
        end as avg_days_between_orders,
        cast(spend_last_30d as decimal(18, 2)) as spend_last_30d,
        cast(spend_last_90d as decimal(18, 2)) as spend_last_90d,
        cast(spend_last_365d as decimal(18, 2)) as spend_last_365d,
        cast(orders_last_90d as bigint) as orders_last_90d,
        cast(monetary as decimal(18, 2)) as clv_historical,
        cast(returned_orders as bigint) as returned_orders,
        {{ safe_divide('returned_orders', 'frequency + returned_orders') }} as return_rate,
        {% if raw_data_has('discount') -%}
            case
                when gross_amount > 0 then {{ safe_divide('discount_amount', 'gross_amount') }}
            end
        {%- else -%}
            cast(null as {{ type_double() }})
        {%- endif %} as discount_share,
        {% if raw_data_has('channel') -%}
            {{ safe_divide('online_orders', 'frequency') }}
        {%- else -%}
            cast(null as {{ type_double() }})
        {%- endif %} as online_share
    from with_spans
)

select * from final
