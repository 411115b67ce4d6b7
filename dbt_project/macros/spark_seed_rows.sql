{#- dbt-spark's session connection binds a seed's empty cell as the text 'None' and does not escape
    quotes in a value; the seed rows go in as SQL literals instead (null for an empty cell). -#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for value in row -%}
                    {%- set column_type = column_override.get(
                        agate_table.column_names[loop.index0],
                        adapter.convert_type(agate_table, loop.index0)
                    ) -%}
                    cast({{ spark_seed_literal(value) }} as {{ column_type }}){{ ',' if not loop.last }}
                {%- endfor -%}){{ ',' if not loop.last }}
            {%- endfor %}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.first %}{% do statements.append(sql) %}{% endif -%}
    {%- endfor -%}
    {{ return(statements[0]) }}
{% endmacro %}

{% macro spark_seed_literal(value) -%}
    {%- if value is none -%}
        null
    {%- elif value is number -%}
        {{ value }}
    {%- else -%}
        '{{ value | string | replace("\\", "\\\\") | replace("'", "\\'") }}'
    {%- endif -%}
{%- endmacro %}
