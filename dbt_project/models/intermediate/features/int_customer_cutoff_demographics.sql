-- Demographics per cutoff and customer of int_customer_cutoff_behaviour: gender, city and loyalty
-- tier from the latest profile (not point in time), age in completed years at the cutoff and its
-- band. Kept apart from the behaviour features so it can be switched off for datasets without a
-- customers table.

with

behaviour as (
    select * from {{ ref('int_customer_cutoff_behaviour') }}
),

customers as (
    select * from {{ ref('stg_customers') }}
),

profiles_at_cutoff as (
    select
        behaviour.as_of_date,
        behaviour.customer_id,
        customers.gender,
        customers.city,
        customers.loyalty_tier,
        {{ age_at('customers.date_of_birth', 'behaviour.as_of_date') }} as age
    from behaviour
    left join customers
        on behaviour.customer_id = customers.customer_id
),

final as (
    select
        as_of_date,
        customer_id,
        coalesce(gender, 'unknown') as gender,
        cast(age as integer) as age,
        {{ age_band('age') }} as age_band,
        coalesce(city, 'unknown') as city,
        coalesce(loyalty_tier, 'unknown') as loyalty_tier
    from profiles_at_cutoff
)

select * from final
