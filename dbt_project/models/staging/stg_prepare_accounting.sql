-- Per input file of the user's own data: rows read, exact duplicates dropped and rows
-- quarantined while preparing, rows passed on to a raw table. Empty (same columns) when the raw
-- data did not come through prepare (var prepared_input false: the demo extract).
{#- Referenced either way, so lineage shows the source when it is not read. #}
{%- set prepare_output = source('raw', 'prepare_accounting') %}
{%- if var('prepared_input') %}

    with

    source_accounting as (
        select * from {{ prepare_output }}
    ),

    final as (
        select
            cast(input_table as {{ dbt.type_string() }}) as input_table,
            cast(input_file as {{ dbt.type_string() }}) as input_file,
            cast(raw_table as {{ dbt.type_string() }}) as raw_table,
            cast(rows_read as {{ dbt.type_bigint() }}) as rows_read,
            cast(exact_duplicates_dropped as {{ dbt.type_bigint() }}) as exact_duplicates_dropped,
            cast(quarantined_rows as {{ dbt.type_bigint() }}) as quarantined_rows,
            cast(rows_passed_on as {{ dbt.type_bigint() }}) as rows_passed_on
        from source_accounting
    )

{%- else %}

    with

    final as (
        select
            cast(null as {{ dbt.type_string() }}) as input_table,
            cast(null as {{ dbt.type_string() }}) as input_file,
            cast(null as {{ dbt.type_string() }}) as raw_table,
            cast(null as {{ dbt.type_bigint() }}) as rows_read,
            cast(null as {{ dbt.type_bigint() }}) as exact_duplicates_dropped,
            cast(null as {{ dbt.type_bigint() }}) as quarantined_rows,
            cast(null as {{ dbt.type_bigint() }}) as rows_passed_on
        where 1 = 0
    )

{%- endif %}

select * from final
