-- Rows of the user's own files that prepare left out, one reason each, so every row read is
-- queryable in the served file. Empty (same columns) when the raw data did not come through
-- prepare (var prepared_input false: the demo extract).
{#- Referenced either way, so lineage shows the source when it is not read. #}
{%- set prepare_output = source('raw', 'quarantine') %}
{%- set columns = [
    ['input_table', 'string', 'input_table'],
    ['file', 'string', 'input_file'],
    ['row', 'int', 'row_number'],
    ['reason', 'string', 'reason'],
    ['record', 'string', 'raw_values'],
] %}

with

final as (
    {{ select_typed_columns(columns, prepare_output if var('prepared_input') else none) }}
)

select * from final
