-- Every raw orders row once, cleaned, with its bucket (clean, duplicate, quarantined,
-- excluded_test) and, when quarantined, one reason. Needs the customers: an order is a test order
-- when any version belongs to a test account. A table so that int_orders and quarantine_orders
-- never parse the raw file again.
-- Only the rows of an order_id found more than once go through the version window (it sorts every
-- row it gets with all its columns); the others are their order's only version.
{{ config(materialized='table') }}

{%- set raw_columns = [
    'order_id', 'customer_id', 'store', 'channel', 'order_ts', 'status', 'updated_at',
] %}
{%- set raw_columns_prefixed = raw_column_names(raw_columns) %}
{%- set raw_key = raw_columns_prefixed | join(', ') %}
{#- The rows in two parts: those of an order_id found once, and those of an order_id found on
    several rows or missing. Each part reads base_orders itself: a CTE that both read would be
    materialised. #}
{%- set base_orders = ref('base_orders') %}

with

customers as (
    select * from {{ ref('base_customers') }}
),

test_customers as (
    select distinct customer_id
    from customers
    where row_bucket = 'excluded_test' and customer_id is not null
),

known_customers as (
    select customer_id
    from customers
    where row_bucket = 'clean'
),

repeated_order_ids as (
    select order_id
    from {{ base_orders }}
    group by order_id
    having count(*) > 1
),
{% for part in ['single', 'repeated'] %}
    cleaned_{{ part }} as (
        select base_orders.*
        from {{ base_orders }} as base_orders
        left join repeated_order_ids
            on base_orders.order_id = repeated_order_ids.order_id
        where
            {{ 'not' if part == 'single' }} (
                repeated_order_ids.order_id is not null or base_orders.order_id is null
            )
    ),

    with_customers_{{ part }} as (
        select
            cleaned_{{ part }}.*,
            test_customers.customer_id is not null as has_test_customer,
            known_customers.customer_id is not null as has_customer_record
        from cleaned_{{ part }}
        left join test_customers on cleaned_{{ part }}.customer_id = test_customers.customer_id
        left join known_customers on cleaned_{{ part }}.customer_id = known_customers.customer_id
    ),
{% endfor %}

repeated_versions as (
    -- Versions of one order, latest updated_at first (ties broken by the raw values, so exact
    -- copies sit together). An order is a test order if any version belongs to a test account.
    select
        *,
        {{ record_versions('order_id', raw_key, 'has_test_customer') }}
    from with_customers_repeated
),

versions as (
    -- An order_id found once is its order's only version: version 1, its own copy rank, and a
    -- test order exactly when its customer is a test account.
    select
        *,
        1 as version_number,
        1 as copy_rank,
        has_test_customer as any_version_has_test_customer
    from with_customers_single
    union all
    select * from repeated_versions
),

quality as (
    select
        *,
        version_number > copy_rank as is_exact_copy,
        case
            when order_id is null then 'missing order_id'
            when customer_id is null then 'missing customer_id'
            when order_ts_text is null then 'missing order_ts'
            when ordered_at is null then 'unparseable order_ts'
            when cast(ordered_at as date) > {{ latest_valid_order_date() }}
                then 'order in the future'
            {% if earliest_valid_order_date() -%}
                when cast(ordered_at as date) < {{ earliest_valid_order_date() }} then 'order too old'
            {%- endif %}
            when updated_at_text is not null and updated_at is null
                then 'unparseable updated_at'
            when status is null or status not in ('completed', 'cancelled', 'returned')
                then 'invalid status'
            {% if raw_data_has('channel') -%}
                when channel is null or channel not in ('store', 'online') then 'invalid channel'
            {%- endif %}
        end as quality_issue
    from versions
),

classified as (
    select
        *,
        case
            when
                case
                    when order_id is null then has_test_customer
                    else any_version_has_test_customer
                end
                then 'excluded_test'
            when is_exact_copy then 'duplicate'
            when order_id is null then 'quarantined'
            when version_number > 1 then 'duplicate'
            when quality_issue is not null then 'quarantined'
            else 'clean'
        end as row_bucket
    from quality
),

final as (
    select
        {{- raw_text_unless_clean(raw_columns_prefixed) }}
        order_id,
        customer_id,
        store,
        channel,
        ordered_at,
        cast(ordered_at as date) as order_date,
        status,
        updated_at,
        has_customer_record,
        row_bucket,
        case when row_bucket = 'quarantined' then quality_issue end as reason
    from classified
)

select * from final
