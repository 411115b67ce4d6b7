-- Raw order_lines rows that could not be repaired: the raw columns as text and one reason each.
with classified as (
    select * from {{ ref('int_order_lines_classified') }}
),

final as (
    select
        raw_order_id as order_id,
        raw_line_number as line_number,
        raw_product_id as product_id,
        raw_quantity as quantity,
        raw_unit_price as unit_price,
        raw_discount as discount,
        reason
    from classified
    where row_bucket = 'quarantined'
)

select * from final
