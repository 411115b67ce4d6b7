-- Every raw order_lines row once, cleaned, with its bucket (clean, duplicate, quarantined,
-- excluded_test) and, when quarantined, one reason: the rules that need the line's order (test,
-- unknown or quarantined order) and product (unknown or quarantined product, price outlier).
-- A table so that int_order_lines and quarantine_order_lines read the raw file once.
{{ config(materialized='table') }}

{%- set raw_columns = [
    'order_id', 'line_number', 'product_id', 'quantity', 'unit_price', 'discount',
] %}
{%- set raw_columns_prefixed = raw_column_names(raw_columns) %}
{%- set raw_key = raw_columns_prefixed | join(', ') %}
{%- set limits = value_limits() %}
{%- set outlier_ratio = var_number('price_outlier_ratio', minimum=0) %}

with order_lines as (
    select * from {{ ref('base_order_lines') }}
),

orders as (
    select * from {{ ref('int_orders_classified') }}
),

products as (
    select * from {{ ref('base_products') }}
),

test_orders as (
    select distinct order_id
    from orders
    where row_bucket = 'excluded_test' and order_id is not null
),

current_orders as (
    -- The current version of every real order: clean or quarantined, one row per order_id.
    select
        order_id,
        row_bucket as order_bucket
    from orders
    where row_bucket in ('clean', 'quarantined') and order_id is not null
),

clean_products as (
    select
        product_id,
        list_price
    from products
    where row_bucket = 'clean'
),

quarantined_products as (
    select distinct product_id
    from products
    where
        row_bucket = 'quarantined'
        and product_id is not null
        and product_id not in (select clean_products.product_id from clean_products)
),

with_references as (
    select
        order_lines.*,
        test_orders.order_id is not null as is_test_line,
        current_orders.order_bucket,
        clean_products.list_price,
        clean_products.product_id is not null as has_clean_product,
        quarantined_products.product_id is not null as has_quarantined_product
    from order_lines
    left join test_orders on order_lines.order_id = test_orders.order_id
    left join current_orders on order_lines.order_id = current_orders.order_id
    left join clean_products on order_lines.product_id = clean_products.product_id
    left join quarantined_products on order_lines.product_id = quarantined_products.product_id
),

quality as (
    select
        *,
        case
            when order_bucket is null then 'unknown order'
            when order_bucket = 'quarantined' then 'order quarantined'
            when has_quarantined_product then 'product quarantined'
            {% if raw_data_has('products') -%}
                when not has_clean_product then 'unknown product'
            {%- endif %}
            when line_number is null then 'invalid line_number'
            when abs(quantity_number) > {{ limits.quantity }} then 'quantity out of range'
            when quantity is null then 'invalid quantity'
            when abs(unit_price_number) > {{ limits.unit_price }} then 'unit_price out of range'
            when unit_price is null then 'invalid unit_price'
            when unit_price < 0 then 'negative unit_price'
            when abs(discount_number) > {{ limits.amount }} then 'discount out of range'
            when discount is null then 'invalid discount'
            when unit_price > {{ outlier_ratio }} * list_price then 'price outlier'
        end as value_issue,
        coalesce(abs(quantity_number) <= {{ limits.quantity }}, true)
        and coalesce(abs(unit_price_number) <= {{ limits.unit_price }}, true)
        and coalesce(abs(discount_number) <= {{ limits.amount }}, true) as is_within_ranges
    from with_references
),

ranked as (
    -- Rows of one (order_id, line_number), valid rows first, then by raw values (so exact copies
    -- sit together). Lines carry no updated_at, so when two different valid records share a key
    -- the first is kept and the others are quarantined.
    select
        *,
        row_number() over (
            partition by order_id, line_number order by value_issue nulls first, {{ raw_key }}
        ) as key_number,
        {{ exact_copy_rank('order_id, line_number', 'value_issue nulls first, ' ~ raw_key) }} as copy_rank
    from quality
),

classified as (
    select
        *,
        coalesce(
            value_issue, case when key_number > 1 then 'duplicate order line' end
        ) as quality_issue,
        case
            when is_test_line then 'excluded_test'
            -- an exact copy of an earlier row (exact_copy_rank)
            when key_number > copy_rank then 'duplicate'
            when value_issue is not null or key_number > 1 then 'quarantined'
            else 'clean'
        end as row_bucket
    from ranked
),

final as (
    select
        {{- raw_text_unless_clean(raw_columns_prefixed) }}
        order_id,
        line_number,
        product_id,
        quantity,
        unit_price,
        discount,
        -- only values within the sane ranges are multiplied, so the amounts cannot overflow
        case
            when is_within_ranges then cast(quantity * unit_price as decimal(18, 2))
        end as gross_amount,
        case
            when is_within_ranges then cast(quantity * unit_price - discount as decimal(18, 2))
        end as net_amount,
        row_bucket,
        case when row_bucket = 'quarantined' then quality_issue end as reason
    from classified
)

select * from final
