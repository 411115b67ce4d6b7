-- One row per order line of a clean order, cleaned, with its amounts.
with classified as (
    select * from {{ ref('int_order_lines_classified') }}
),

final as (
    select
        order_id,
        line_number,
        product_id,
        quantity,
        unit_price,
        discount,
        gross_amount,
        net_amount
    from classified
    where row_bucket = 'clean'
)

select * from final
