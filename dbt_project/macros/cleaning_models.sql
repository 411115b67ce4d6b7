{#- Per raw table, the model that gives every raw row its final bucket and the model of its clean
    rows. Customers and products are classified in staging; orders and order lines in
    intermediate, as their rules need other tables (test accounts, orders, products). -#}
{% macro cleaning_models() -%}
    {{ return({
        'customers': {'classified': 'base_customers', 'clean': 'stg_customers'},
        'products': {'classified': 'base_products', 'clean': 'stg_products'},
        'orders': {'classified': 'int_orders_classified', 'clean': 'int_orders'},
        'order_lines': {'classified': 'int_order_lines_classified', 'clean': 'int_order_lines'},
    }) }}
{%- endmacro %}
