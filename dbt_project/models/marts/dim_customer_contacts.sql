-- One row per customer with a profile: the direct identifiers (name, email, phone, birth date).
-- Private and never published: the served file and BI get dim_customers without them; only the
-- audiences export and the age features read this table.

with

customers as (
    select * from {{ ref('stg_customers') }}
),

final as (
    select
        {{ dbt.cast('customer_id', dbt.type_string()) }} as customer_id,
        {{ dbt.cast('customer_name', dbt.type_string()) }} as customer_name,
        {{ dbt.cast('email', dbt.type_string()) }} as email,
        {{ dbt.cast('phone', dbt.type_string()) }} as phone,
        cast(date_of_birth as date) as date_of_birth
    from customers
)

select * from final
