-- Rows of the user's own files that prepare left out, one reason each, so every row read is
-- queryable in the served file. Empty (same columns) when the raw data did not come through
-- prepare (var prepared_input false: the demo extract).
{#- Referenced either way, so lineage shows the source when it is not read. #}
{%- set prepare_output = source('raw', 'quarantine') %}
{%- if var('prepared_input') %}

    with

    source_quarantine as (
        select * from {{ prepare_output }}
    ),

    final as (
        select
            cast(input_table as {{ dbt.type_string() }}) as input_table,
            cast(file as {{ dbt.type_string() }}) as input_file,
            cast(row as {{ dbt.type_int() }}) as row_number,
            cast(reason as {{ dbt.type_string() }}) as reason,
            cast(record as {{ dbt.type_string() }}) as raw_values
        from source_quarantine
    )

{%- else %}

    with

    final as (
        select
            cast(null as {{ dbt.type_string() }}) as input_table,
            cast(null as {{ dbt.type_string() }}) as input_file,
            cast(null as {{ dbt.type_int() }}) as row_number,
            cast(null as {{ dbt.type_string() }}) as reason,
            cast(null as {{ dbt.type_string() }}) as raw_values
        where 1 = 0
    )

{%- endif %}

select * from final
