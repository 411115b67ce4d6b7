-- Category mix per cutoff and customer from completed orders' lines on or before the cutoff:
-- distinct categories, favourite category (most net spend; ties go to the first name) and one
-- share_<category> column per category in the data, generated at compile time.
-- depends_on: {{ ref('stg_products') }}
{{ config(materialized='table') }}
{%- set category_columns = marts_category_columns() %}

with

cutoffs as (
    select * from {{ ref('int_feature_cutoffs') }}
),

daily_category_spend as (
    select * from {{ ref('int_customer_daily_category_spend') }}
),

category_spend_to_cutoff as (
    select
        cutoffs.as_of_date,
        daily_category_spend.customer_id,
        daily_category_spend.category,
        sum(daily_category_spend.spend_amount) as spend_amount
    from cutoffs
    inner join daily_category_spend
        on cutoffs.as_of_date >= daily_category_spend.order_date
    group by cutoffs.as_of_date, daily_category_spend.customer_id, daily_category_spend.category
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
    from category_spend_to_cutoff
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
                    then {{ marts_safe_divide(column.column ~ '_spend', 'category_spend') }}
            end as {{ column.column }},
        {% endfor %}
        cast(distinct_categories as bigint) as distinct_categories,
        favourite_category
    from customer_categories
)

select * from final
