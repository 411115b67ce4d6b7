-- The summary's counts are the rows of the models users read: clean_rows = rows of its clean model,
-- quarantined_rows = rows of quarantine_<table> plus the rows prepare quarantined for it, all the
-- latter together = rows of quarantine_prepare, and a reason is given exactly when a row is
-- quarantined. Returns the tables where this fails.
{%- set tables = ['customers', 'products', 'orders', 'order_lines'] %}
{%- set models = cleaning_models() %}

with summary as (
    select * from {{ ref('data_quality_summary') }}
),

{% for table in tables %}
    clean_{{ table }} as (
        select * from {{ ref(models[table].clean) }}
    ),

    quarantine_{{ table }} as (
        select * from {{ ref('quarantine_' ~ table) }}
    ),

    classified_{{ table }} as (
        select * from {{ ref(models[table].classified) }}
    ),

{% endfor %}
quarantine_prepare as (
    select * from {{ ref('quarantine_prepare') }}
),

prepare_quarantine_counts as (
    select
        (select count(*) from quarantine_prepare) as quarantine_prepare_rows,
        (select sum(quarantined_in_prepare) from summary) as summary_prepare_rows
),

model_counts as (
    {%- for table in tables %}
        select
            '{{ table }}' as table_name,
            (select count(*) from clean_{{ table }}) as clean_rows,
            (select count(*) from quarantine_{{ table }}) as quarantined_rows,
            (
                select count(*) from classified_{{ table }}
                where (row_bucket = 'quarantined') != (reason is not null)
            ) as misplaced_reasons
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

final as (
    select
        model_counts.table_name,
        model_counts.clean_rows,
        summary.clean_rows as summary_clean_rows,
        model_counts.quarantined_rows,
        summary.quarantined_rows as summary_quarantined_rows,
        model_counts.misplaced_reasons,
        prepare_quarantine_counts.quarantine_prepare_rows
    from model_counts
    inner join summary on model_counts.table_name = summary.table_name
    cross join prepare_quarantine_counts
    where
        model_counts.clean_rows != summary.clean_rows
        or model_counts.quarantined_rows + summary.quarantined_in_prepare
        != summary.quarantined_rows
        or model_counts.misplaced_reasons > 0
        or prepare_quarantine_counts.quarantine_prepare_rows
        != prepare_quarantine_counts.summary_prepare_rows
)

select * from final
