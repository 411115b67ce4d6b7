{#- Category features are generated from the categories present in the data, at compile time. -#}

{% macro category_column_name(category) -%}
    {#- share_<category> with the name sanitised: lower case, runs of other characters as one '_'. -#}
    {%- set cleaned = modules.re.sub('[^a-z0-9]+', '_', category | string | lower).strip('_') -%}
    {{ return('share_' ~ (cleaned if cleaned else 'blank')) }}
{%- endmacro %}


{% macro category_columns() -%}
    {#- One dict per category in stg_products (null category counts as 'unknown'), sorted:
        {'category': value, 'column': share_<sanitised>}. Empty at parse time (execute is false) and while stg_products is not built.
        Two categories that sanitise to the same name: the later gets its position as a suffix.
        stg_products is referenced before anything else, so every model calling this depends on it. -#}
    {%- set products_model = ref('stg_products') -%}
    {%- if not execute or not raw_data_has('categories') -%}
        {{ return([]) }}
    {%- endif -%}
    {#- Not built yet (dbt compile or sqlfluff on a fresh warehouse): no category columns. -#}
    {%- set products = load_relation(products_model) -%}
    {%- if products is none -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set query -%}
        select distinct coalesce(category, 'unknown') as category
        from {{ products }}
        order by 1
    {%- endset -%}
    {%- set categories = run_query(query).columns[0].values() -%}
    {%- set columns = [] -%}
    {%- set seen = [] -%}
    {%- for category in categories -%}
        {%- set name = category_column_name(category) -%}
        {%- if name in seen -%}
            {%- set name = name ~ '_' ~ loop.index -%}
        {%- endif -%}
        {%- do seen.append(name) -%}
        {%- do columns.append({'category': category, 'column': name}) -%}
    {%- endfor -%}
    {{ return(columns) }}
{%- endmacro %}
