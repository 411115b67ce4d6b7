-- Category mix per cutoff and customer from completed orders' lines on or before the cutoff:
-- distinct categories, favourite category (most net spend; ties go to the first name) and one
-- share_<category> column per category in the data, generated at compile time.
-- One pass over the lines sums every cutoff side by side (a column per cutoff), so the lines are
-- neither joined to each cutoff nor kept at a daily grain first.
-- Built after the behaviour model, never beside it: side by side the two aggregations would share
-- DuckDB's memory limit and spill.
{{ build_after('int_customer_cutoff_behaviour') }}
{{ config(materialized='table') }}
{%- set category_columns = category_columns() %}
{%- set cutoff_roles = cutoff_roles() %}
{%- set cutoff_date_columns = [] %}
{%- set per_cutoff_columns = [] %}
{%- for cutoff in cutoff_roles %}
    {%- set on_or_before = 'completed_lines.order_date <= cutoff_dates.' ~ cutoff.role ~ '_as_of_date' %}
    {%- do cutoff_date_columns.append(cutoff_as_of_date(cutoff.role) ~ ' as ' ~ cutoff.role ~ '_as_of_date') %}
    {%- do per_cutoff_columns.append(
        'count(case when ' ~ on_or_before ~ ' then 1 end) as ' ~ cutoff.role ~ '_line_count') %}
    {%- do per_cutoff_columns.append(
        'sum(case when ' ~ on_or_before ~ ' then completed_lines.spend_amount else 0 end) as '
        ~ cutoff.role ~ '_spend_amount') %}
{%- endfor %}

with

cutoffs as (
    select * from {{ ref('int_feature_cutoffs') }}
),

order_lines as (
    select * from {{ ref('int_order_lines_enriched') }}
),

completed_lines as (
    select
        customer_id,
        order_date,
        category,
        spend_amount
    from order_lines
    where status = 'completed'
),

cutoff_dates as (
    select
        {{ cutoff_date_columns | join(',\n        ') }}
    from cutoffs
),

category_spend_per_cutoff as (
    select
        completed_lines.customer_id,
        completed_lines.category,
        {{ per_cutoff_columns | join(',\n        ') }}
    from completed_lines
    cross join cutoff_dates
    group by completed_lines.customer_id, completed_lines.category
),

category_spend_to_cutoff as (
    select
        cutoffs.as_of_date,
        category_spend_per_cutoff.customer_id,
        category_spend_per_cutoff.category,
        {{ value_at_cutoff('cutoffs.cutoff_role', 'category_spend_per_cutoff', 'line_count') }} as line_count,
        {{ value_at_cutoff('cutoffs.cutoff_role', 'category_spend_per_cutoff', 'spend_amount') }} as spend_amount
    from category_spend_per_cutoff
    cross join cutoffs
),

bought_categories as (
    select * from category_spend_to_cutoff
    where line_count > 0
),

ranked_categories as (
    select
        as_of_date,
        customer_id,
        category,
        spend_amount,
        row_number() over (
            partition by as_of_date, customer_id
            order by spend_amount desc, category asc
        ) as spend_rank
    from bought_categories
),

customer_categories as (
    select
        as_of_date,
        customer_id,
        {% for column in category_columns %}
            sum(
                case when category = '{{ dbt.escape_single_quotes(column.category) }}' then spend_amount else 0 end
            ) as {{ column.column }}_spend,
        {% endfor %}
        count(*) as distinct_categories,
        max(case when spend_rank = 1 and spend_amount > 0 then category end) as favourite_category,
        sum(spend_amount) as category_spend
    from ranked_categories
    group by as_of_date, customer_id
),

final as (
    select
        as_of_date,
        customer_id,
        {% for column in category_columns %}
            case
                when category_spend > 0
                    then {{ safe_divide(column.column ~ '_spend', 'category_spend') }}
            end as {{ column.column }},
        {% endfor %}
        cast(distinct_categories as bigint) as distinct_categories,
        favourite_category
    from customer_categories
)

select * from final
