-- Every raw order_lines row once, as text (raw_<column>) and cleaned (trimmed, parsed).
-- Classified in int_order_lines_classified, whose rules need the orders and products.
{%- set raw_columns = [
    'order_id', 'line_number', 'product_id', 'quantity', 'unit_price', 'discount',
] %}

with source as (
    select * from {{ source('raw', 'order_lines') }}
),

raw_text as (
    select {{ raw_text_columns(raw_columns) }}
    from source
),

cleaned as (
    select
        *,
        {{ clean_text('raw_order_id') }} as order_id,
        {{ clean_text('raw_line_number') }} as line_number_text,
        {{ try_cast_or_null(clean_text('raw_line_number'), dbt.type_int()) }} as line_number,
        {{ clean_text('raw_product_id') }} as product_id,
        {{ try_cast_or_null(clean_text('raw_quantity'), dbt.type_int()) }} as quantity,
        {{ try_cast_or_null(clean_text('raw_unit_price'), 'decimal(18, 2)') }} as unit_price,
        -- the same values as doubles, checked against the sane ranges before any decimal arithmetic
        {{ try_cast_or_null(clean_text('raw_quantity'), 'double') }} as quantity_number,
        {{ try_cast_or_null(clean_text('raw_unit_price'), 'double') }} as unit_price_number,
        {{ try_cast_or_null(clean_text('raw_discount'), 'double') }} as discount_number,
        {{ clean_text('raw_discount') }} as discount_text,
        coalesce(
            {{ try_cast_or_null(clean_text('raw_discount'), 'decimal(18, 2)') }},
            case when {{ clean_text('raw_discount') }} is null then 0 end
        ) as discount
    from raw_text
),

final as (
    select * from cleaned
)

select * from final
