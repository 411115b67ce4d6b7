-- Raw products rows that could not be repaired: the raw columns as text and one reason each.
with classified as (
    select * from {{ ref('base_products') }}
),

final as (
    select
        raw_product_id as product_id,
        raw_product_name as product_name,
        raw_category as category,
        raw_brand as brand,
        raw_list_price as list_price,
        reason
    from classified
    where row_bucket = 'quarantined'
)

select * from final
