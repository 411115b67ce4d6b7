-- One row per real order: the current version of its record, cleaned.
with classified as (
    select * from {{ ref('int_orders_classified') }}
),

final as (
    select
        order_id,
        customer_id,
        store,
        channel,
        ordered_at,
        order_date,
        status,
        updated_at,
        has_customer_record
    from classified
    where row_bucket = 'clean'
)

select * from final
