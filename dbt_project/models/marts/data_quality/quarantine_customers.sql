-- Raw customers rows that could not be repaired: the raw columns as text and one reason each.
-- Direct identifiers stay out (this table is served to BI): name, email and phone are left out,
-- and the birth date shows only its shape (digits as 9), enough to see why it did not parse.
with classified as (
    select * from {{ ref('base_customers') }}
),

final as (
    select
        raw_customer_id as customer_id,
        raw_gender as gender,
        translate(raw_date_of_birth, '0123456789', '9999999999') as date_of_birth_pattern,
        raw_city as city,
        raw_signup_date as signup_date,
        raw_loyalty_tier as loyalty_tier,
        raw_marketing_consent as marketing_consent,
        raw_updated_at as updated_at,
        reason
    from classified
    where row_bucket = 'quarantined'
)

select * from final
