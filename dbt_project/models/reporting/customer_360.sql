-- One row per customer: profile, behaviour and RFM at the cutoff, segment, and predictions. The
-- prediction columns name their window: p_purchase_next_<horizon_days>d (var horizon_days).
{%- set horizon = var('horizon_days') | int %}

with

customers as (
    select * from {{ ref('dim_customers') }}
),

features as (
    select * from {{ ref('customer_features') }}
),

segments as (
    select * from {{ ref('customer_segments') }}
),

predictions as (
    select * from {{ ref('customer_predictions') }}
),

final as (
    select
        customers.customer_id,
        customers.gender,
        features.age,
        coalesce(features.age_band, 'unknown') as age_band,
        customers.city,
        customers.loyalty_tier,
        customers.signup_date,
        customers.has_profile,
        features.as_of_date,
        features.first_order_date,
        features.last_order_date,
        features.recency_days,
        features.tenure_days,
        coalesce(features.frequency, 0) as frequency,
        coalesce(features.monetary, 0) as monetary,
        features.aov,
        features.orders_per_month,
        features.avg_days_between_orders,
        features.spend_last_30d,
        features.spend_last_90d,
        features.spend_last_365d,
        features.orders_last_90d,
        features.clv_historical,
        features.return_rate,
        features.discount_share,
        features.online_share,
        features.distinct_categories,
        features.favourite_category,
        features.r_score,
        features.f_score,
        features.m_score,
        features.rfm_score,
        features.rfm_segment,
        {{ rfm_segment_label('features.rfm_segment') }} as rfm_segment_label,
        coalesce(features.recency_days <= 90, false) as is_active_90d,
        cast(segments.segment_id as integer) as segment_id,
        {{ dbt.cast('segments.segment_name', dbt.type_string()) }} as segment_name,
        cast(predictions.p_purchase as double)
            as p_purchase_next_{{ horizon }}d,
        cast(predictions.predicted_spend as double)
            as predicted_spend_next_{{ horizon }}d,
        cast(predictions.p_alive as double) as p_alive,
        cast(predictions.expected_orders_12m as double)
            as expected_orders_12m,
        cast(predictions.predicted_clv_12m as double) as predicted_clv_12m,
        -- what the customer is worth over 12 months, weighted by the chance they do not come back
        cast(predictions.predicted_clv_12m * (1 - predictions.p_purchase) as double)
            as value_at_risk_12m,
        {{ dbt.cast('predictions.model_name', dbt.type_string()) }} as prediction_model_name
    from customers
    left join features
        on customers.customer_id = features.customer_id
    left join segments
        on customers.customer_id = segments.customer_id
    left join predictions
        on customers.customer_id = predictions.customer_id
)

select * from final
