-- Raw orders rows that could not be repaired: the raw columns as text and one reason each.
with classified as (
    select * from {{ ref('int_orders_classified') }}
),

final as (
    select
        raw_order_id as order_id,
        raw_customer_id as customer_id,
        raw_store as store,
        raw_channel as channel,
        raw_order_ts as order_ts,
        raw_status as status,
        raw_updated_at as updated_at,
        reason
    from classified
    where row_bucket = 'quarantined'
)

select * from final
