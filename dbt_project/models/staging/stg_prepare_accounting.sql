-- Per input file of the user's own data: rows read, exact duplicates dropped and rows
-- quarantined while preparing, rows passed on to a raw table. Empty (same columns) when the raw
-- data did not come through prepare (var prepared_input false: the demo extract).
{#- Referenced either way, so lineage shows the source when it is not read. #}
{%- set prepare_output = source('raw', 'prepare_accounting') %}
{%- set columns = [
    ['input_table', 'string', 'input_table'],
    ['input_file', 'string', 'input_file'],
    ['raw_table', 'string', 'raw_table'],
    ['rows_read', 'bigint', 'rows_read'],
    ['exact_duplicates_dropped', 'bigint', 'exact_duplicates_dropped'],
    ['quarantined_rows', 'bigint', 'quarantined_rows'],
    ['rows_passed_on', 'bigint', 'rows_passed_on'],
] %}

with

final as (
    {{ select_typed_columns(columns, prepare_output if var('prepared_input') else none) }}
)

select * from final
