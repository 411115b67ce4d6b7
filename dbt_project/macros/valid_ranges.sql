{#- The bounds outside which a raw value is quarantined, from checked vars. -#}

{#- Orders after this date are 'in the future': var max_valid_date if set, else the run date. -#}
{% macro latest_valid_order_date() -%}
    {{- var_date_literal('max_valid_date') or 'current_date' -}}
{%- endmacro %}

{#- Orders before this date are 'too old': var min_valid_date as a date literal, or none (no
    lower bound) when the var is null. -#}
{% macro earliest_valid_order_date() -%}
    {{- return(var_date_literal('min_valid_date')) -}}
{%- endmacro %}

{#- The sane ranges of money and quantities (vars max_unit_price, max_abs_quantity,
    max_abs_amount), checked to be numbers. A line's amount is at most price x quantity + amount;
    capped at 1e14 so that a line, and a sum of a hundred such lines, fits DECIMAL(18, 2). -#}
{% macro value_limits() -%}
    {%- set limits = {
        'unit_price': var_number('max_unit_price', minimum=0),
        'quantity': var_number('max_abs_quantity', minimum=1),
        'amount': var_number('max_abs_amount', minimum=0),
    } -%}
    {%- if limits.unit_price * limits.quantity + limits.amount > 100000000000000 -%}
        {{ exceptions.raise_compiler_error(
            "vars max_unit_price x max_abs_quantity + max_abs_amount must stay at most 1e14 (so sums "
            ~ "of order lines fit DECIMAL(18, 2)), got " ~ limits.unit_price ~ " x "
            ~ limits.quantity ~ " + " ~ limits.amount) }}
    {%- endif -%}
    {{- return(limits) -}}
{%- endmacro %}
