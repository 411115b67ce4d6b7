{#- Report settings read from vars, checked once so every model and the report agree. -#}

{% macro currency_code() -%}
    {#- The var `currency` as an upper-case three-letter ISO 4217 code (default INR). -#}
    {%- set raw = var('currency', 'INR') -%}
    {%- set code = 'INR' if raw is none else (raw | string | trim | upper) -%}
    {%- if code in ('', 'NONE', 'NULL') -%}
        {%- set code = 'INR' -%}
    {%- endif -%}
    {%- if not modules.re.match('^[A-Z]{3}$', code) -%}
        {{ exceptions.raise_compiler_error(
            "var currency must be a three-letter ISO 4217 code such as INR, GBP, USD or EUR, got '"
            ~ raw ~ "'") }}
    {%- endif -%}
    {{ return(code) }}
{%- endmacro %}


{% macro festive_month_numbers() -%}
    {#- The var `festive_months` as a sorted list of distinct month numbers (1-12). Accepts a list
        ([10, 11, 12]), one number, or comma-separated text ("11,12"); null or empty = none. -#}
    {%- set raw = var('festive_months', [10, 11, 12]) -%}
    {%- if raw is none -%}
        {%- set items = [] -%}
    {%- elif raw is string -%}
        {%- set items = raw.strip('[] ').split(',') -%}
    {%- elif raw is number -%}
        {%- set items = [raw] -%}
    {%- else -%}
        {%- set items = raw -%}
    {%- endif -%}
    {%- set months = [] -%}
    {%- for item in items -%}
        {%- set month = item | string | trim -%}
        {%- if month != '' -%}
            {%- if not modules.re.match('^[0-9]{1,2}$', month) or (month | int) < 1 or (month | int) > 12 -%}
                {{ exceptions.raise_compiler_error(
                    "var festive_months must list calendar months 1-12 (e.g. [10, 11, 12], or [] for "
                    ~ "none), got '" ~ raw ~ "'") }}
            {%- endif -%}
            {%- if (month | int) not in months -%}
                {%- do months.append(month | int) -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(months | sort) }}
{%- endmacro %}
