{#-
    Values from vars, config or the environment reach SQL only through these macros: text as a
    quoted string literal, numbers and dates after checking them, so no value can change the
    statement it lands in. A bad value stops compilation with an error naming the var.
-#}

{#- `value` as a SQL string literal: single quotes doubled, so any text stays one literal. -#}
{% macro quoted_literal(value) -%}
    '{{ (value | string).replace("'", "''") }}'
{%- endmacro %}


{#- `value` as a number, or a compile error naming `name`. Booleans are not numbers; text must be
    a plain decimal number (1e7 allowed). Bounds are inclusive; `whole` refuses fractions. -#}
{% macro checked_number(name, value, minimum=none, maximum=none, whole=false) -%}
    {%- set text = value | string | trim -%}
    {%- set is_bool = value is sameas true or value is sameas false -%}
    {%- set pattern = '^-?[0-9]+$' if whole else '^-?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?$' -%}
    {%- if is_bool or value is none or not modules.re.match(pattern, text) -%}
        {{ exceptions.raise_compiler_error(
            "var " ~ name ~ " must be a " ~ ("whole number" if whole else "number")
            ~ ", got '" ~ value ~ "'") }}
    {%- endif -%}
    {%- set number = (text | int) if whole else (text | float) -%}
    {%- if (minimum is not none and number < minimum) or (maximum is not none and number > maximum) -%}
        {{ exceptions.raise_compiler_error(
            "var " ~ name ~ " must be between " ~ minimum ~ " and " ~ maximum ~ ", got '" ~ value ~ "'") }}
    {%- endif -%}
    {{- return(number) -}}
{%- endmacro %}


{#- The var `name` checked by checked_number (default: the var's value in dbt_project.yml). -#}
{% macro var_number(name, minimum=none, maximum=none, whole=false) -%}
    {{- return(checked_number(name, var(name), minimum, maximum, whole)) -}}
{%- endmacro %}


{#- The var `name` as a YYYY-MM-DD string that is a real date, or none when it is null or empty;
    anything else is a compile error naming the var. -#}
{% macro var_date(name) -%}
    {%- set raw = var(name, none) -%}
    {%- if raw is none or (raw | string | trim | lower) in ('', 'none', 'null') -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set text = raw | string | trim -%}
    {%- set valid = modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', text) -%}
    {%- if valid -%}
        {%- set parts = text.split('-') | map('int') | list -%}
        {%- set month_days = [31, 29 if parts[0] % 4 == 0 and (parts[0] % 100 != 0 or parts[0] % 400 == 0) else 28,
                              31, 30, 31, 30, 31, 31, 30, 31, 30, 31] -%}
        {%- set valid = 1 <= parts[1] <= 12 and 1 <= parts[2] <= month_days[parts[1] - 1] -%}
    {%- endif -%}
    {%- if not valid -%}
        {{ exceptions.raise_compiler_error(
            "var " ~ name ~ " must be a date written YYYY-MM-DD that exists (or null), got '" ~ raw ~ "'") }}
    {%- endif -%}
    {{- return(text) -}}
{%- endmacro %}


{#- The var `name` as a date literal, or none when it is null. -#}
{% macro var_date_literal(name) -%}
    {%- set text = var_date(name) -%}
    {{- return(none if text is none else 'cast(' ~ quoted_literal(text) ~ ' as date)') -}}
{%- endmacro %}


{#- The var `name` as a list of column names (letters, digits, underscores), or a compile error
    naming the var: the names become identifiers in SQL. -#}
{% macro var_identifiers(name) -%}
    {%- set values = var(name) -%}
    {%- if values is string or values is not iterable -%}
        {%- set values = [values] -%}
    {%- endif -%}
    {%- for value in values -%}
        {%- if not modules.re.match('^[A-Za-z_][A-Za-z0-9_]*$', value | string) -%}
            {{ exceptions.raise_compiler_error(
                "var " ~ name ~ " must list column names (letters, digits and _), got '" ~ value ~ "'") }}
        {%- endif -%}
    {%- endfor -%}
    {{- return(values | list) -}}
{%- endmacro %}
