-- Point-in-time customer features: one row per cutoff (int_feature_cutoffs: train, evaluate,
-- score) and customer with at least one completed order on or before that cutoff, computed only
-- from events on or before it. Behaviour, RFM, category mix and demographics come from separate
-- models joined here, so each part can be switched off for datasets that lack its input.
{%- set category_columns = category_columns() %}

with

behaviour as (
    select * from {{ ref('int_customer_cutoff_behaviour') }}
),

rfm as (
    select * from {{ ref('int_customer_rfm') }}
),

categories as (
    select * from {{ ref('int_customer_cutoff_categories') }}
),

demographics as (
    select * from {{ ref('int_customer_cutoff_demographics') }}
),

final as (
    select
        behaviour.customer_id,
        behaviour.as_of_date,
        behaviour.cutoff_role,
        behaviour.first_order_date,
        behaviour.last_order_date,
        behaviour.recency_days,
        behaviour.tenure_days,
        behaviour.frequency,
        behaviour.monetary,
        behaviour.aov,
        behaviour.orders_per_month,
        behaviour.avg_days_between_orders,
        behaviour.spend_last_30d,
        behaviour.spend_last_90d,
        behaviour.spend_last_365d,
        behaviour.orders_last_90d,
        behaviour.clv_historical,
        behaviour.return_rate,
        behaviour.discount_share,
        behaviour.online_share,
        {% if raw_data_has('categories') -%}
            cast(coalesce(categories.distinct_categories, 0) as bigint) as distinct_categories,
            categories.favourite_category,
        {%- else -%}
            cast(null as bigint) as distinct_categories,
            {{ dbt.cast('null', dbt.type_string()) }} as favourite_category,
        {%- endif %}
        {% for column in category_columns %}
            categories.{{ column.column }},
        {% endfor %}
        coalesce(demographics.gender, 'unknown') as gender,
        demographics.age,
        coalesce(demographics.age_band, 'unknown') as age_band,
        coalesce(demographics.city, 'unknown') as city,
        coalesce(demographics.loyalty_tier, 'unknown') as loyalty_tier,
        rfm.r_score,
        rfm.f_score,
        rfm.m_score,
        rfm.rfm_score,
        rfm.rfm_segment
    from behaviour
    left join rfm
        on
            behaviour.as_of_date = rfm.as_of_date
            and behaviour.customer_id = rfm.customer_id
    left join categories
        on
            behaviour.as_of_date = categories.as_of_date
            and behaviour.customer_id = categories.customer_id
    left join demographics
        on
            behaviour.as_of_date = demographics.as_of_date
            and behaviour.customer_id = demographics.customer_id
)

select * from final
