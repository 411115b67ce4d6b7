-- One row per product, cleaned.
with classified as (
    select * from {{ ref('base_products') }}
),

final as (
    select
        product_id,
        product_name,
        category,
        brand,
        list_price
    from classified
    where row_bucket = 'clean'
)

select * from final
