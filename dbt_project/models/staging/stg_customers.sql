-- One row per real customer: the current version of its record, cleaned.
with classified as (
    select * from {{ ref('base_customers') }}
),

final as (
    select
        customer_id,
        customer_name,
        email,
        phone,
        gender,
        date_of_birth,
        city,
        signup_date,
        loyalty_tier,
        marketing_consent,
        updated_at
    from classified
    where row_bucket = 'clean'
)

select * from final
