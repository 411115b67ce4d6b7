-- One row per clean order line with its order's customer, date and status, its product's
-- category and brand, and spend_amount (the line's net amount when the order is completed, else 0).
-- Built after the category mix, never beside it: both join every order line to its order, and
-- side by side the two joins would share DuckDB's memory limit and spill. It still runs beside the
-- snapshots: after them, it would hold one of dbt's two threads while the ML waits.
{{ build_after('int_customer_cutoff_categories') }}

with

order_lines as (
    select * from {{ ref('int_order_lines_enriched') }}
),

final as (
    select
        {{ dbt.cast('order_line_id', dbt.type_string()) }} as order_line_id,
        {{ dbt.cast('order_id', dbt.type_string()) }} as order_id,
        cast(line_number as integer) as line_number,
        {{ dbt.cast('customer_id', dbt.type_string()) }} as customer_id,
        cast(order_date as date) as order_date,
        {{ dbt.cast('channel', dbt.type_string()) }} as channel,
        {{ dbt.cast('status', dbt.type_string()) }} as status,
        {{ dbt.cast('product_id', dbt.type_string()) }} as product_id,
        {{ dbt.cast('category', dbt.type_string()) }} as category,
        {{ dbt.cast('brand', dbt.type_string()) }} as brand,
        cast(quantity as integer) as quantity,
        cast(unit_price as decimal(18, 2)) as unit_price,
        cast(discount as decimal(18, 2)) as discount,
        cast(gross_amount as decimal(18, 2)) as gross_amount,
        cast(net_amount as decimal(18, 2)) as net_amount,
        cast(spend_amount as decimal(18, 2)) as spend_amount
    from order_lines
)

select * from final
