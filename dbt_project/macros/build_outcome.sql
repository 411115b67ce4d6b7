{#
    The build's own outcome, kept inside the build file: publish serves a build file only when it
    holds this marker. on-run-start drops it (any dbt run, test or build may change the file), and
    on-run-end writes it back only for a complete `dbt build` (no node selection, not --empty) in
    which every node succeeded (exposures end 'no-op'). Its run_id is ml_run's (the invocation
    id). `dbt docs generate` and `dbt compile` run no hooks.
#}

{% macro build_outcome_relation() %}
    {{ return(api.Relation.create(
        database=target.database if target.database is defined else none,
        schema=target.schema,
        identifier='dbt_build_outcome',
        type='table'
    )) }}
{% endmacro %}


{% macro build_outcome_reset() %}
    drop table if exists {{ build_outcome_relation() }}
{% endmacro %}


{% macro build_outcome_is_complete(results) %}
    {%- set args = invocation_args_dict -%}
    {%- set narrowed = [] -%}
    {%- for key in ['select', 'exclude', 'selector', 'resource_types', 'exclude_resource_types'] -%}
        {%- if args.get(key) -%}{%- do narrowed.append(key) -%}{%- endif -%}
    {%- endfor -%}
    {%- set succeeded = ['success', 'pass', 'warn', 'no-op'] -%}
    {%- set unsuccessful = results | rejectattr('status', 'in', succeeded) | list -%}
    {{ return(
        args.get('which') == 'build'
        and not narrowed
        and not args.get('empty')
        and results | length > 0
        and not unsuccessful
    ) }}
{% endmacro %}


{% macro build_outcome_record(results) %}
    {%- if build_outcome_is_complete(results) -%}
        create table {{ build_outcome_relation() }} as
        select
            {{ dbt.string_literal(invocation_id) }} as run_id,
            {{ results | length }} as nodes
    {%- endif -%}
{% endmacro %}
