-- One row per customer: the cleaned profile plus lifetime order facts. Customers that appear only
-- in orders (no profile row) are kept with unknown demographics, so every order has a customer.
-- Served to BI, so no direct identifier: name, email, phone and birth date are in the private
-- dim_customer_contacts.

with

customers as (
    select * from {{ ref('stg_customers') }}
),

orders as (
    select * from {{ ref('int_order_totals') }}
),

order_history as (
    select
        customer_id,
        min(case when status = 'completed' then order_date end) as first_order_date,
        max(case when status = 'completed' then order_date end) as last_order_date,
        sum(case when status = 'completed' then 1 else 0 end) as completed_orders,
        sum(spend_amount) as lifetime_spend
    from orders
    group by customer_id
),

customers_without_profile as (
    select order_history.customer_id
    from order_history
    left join customers
        on order_history.customer_id = customers.customer_id
    where customers.customer_id is null
),

all_customers as (
    select
        customer_id,
        coalesce(gender, 'unknown') as gender,
        coalesce(city, 'unknown') as city,
        signup_date,
        coalesce(loyalty_tier, 'unknown') as loyalty_tier,
        marketing_consent,
        updated_at,
        true as has_profile
    from customers

    union all

    select
        customer_id,
        'unknown' as gender,
        'unknown' as city,
        null as signup_date,
        'unknown' as loyalty_tier,
        false as marketing_consent,
        null as updated_at,
        false as has_profile
    from customers_without_profile
),

final as (
    select
        {{ dbt.cast('all_customers.customer_id', dbt.type_string()) }} as customer_id,
        {{ dbt.cast('all_customers.gender', dbt.type_string()) }} as gender,
        {{ dbt.cast('all_customers.city', dbt.type_string()) }} as city,
        cast(all_customers.signup_date as date) as signup_date,
        {{ dbt.cast('all_customers.loyalty_tier', dbt.type_string()) }} as loyalty_tier,
        all_customers.marketing_consent,
        {{ dbt.cast('all_customers.updated_at', dbt.type_timestamp()) }} as updated_at,
        all_customers.has_profile,
        cast(order_history.first_order_date as date) as first_order_date,
        cast(order_history.last_order_date as date) as last_order_date,
        cast(coalesce(order_history.completed_orders, 0) as bigint) as completed_orders,
        cast(coalesce(order_history.lifetime_spend, 0) as decimal(18, 2)) as lifetime_spend
    from all_customers
    left join order_history
        on all_customers.customer_id = order_history.customer_id
)

select * from final
