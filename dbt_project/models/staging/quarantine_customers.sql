-- Raw customers rows that could not be repaired: the raw columns as text and one reason each.
with classified as (
    select * from {{ ref('stg_customers__classified') }}
),

final as (
    select
        raw_customer_id as customer_id,
        raw_name as name,
        raw_email as email,
        raw_phone as phone,
        raw_gender as gender,
        raw_date_of_birth as date_of_birth,
        raw_city as city,
        raw_signup_date as signup_date,
        raw_loyalty_tier as loyalty_tier,
        raw_updated_at as updated_at,
        reason
    from classified
    where row_bucket = 'quarantined'
)

select * from final
