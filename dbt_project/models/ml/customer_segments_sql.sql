-- Nearest-centroid scoring in SQL from the parameters stored in segment_model: impute, transform
-- (ln(1 + x), x clipped at 0), standardise, then pick the closest centroid (ties: lower segment_id).
-- Lets a warehouse score customers without Python; must agree with customer_segments.
{%- set features = var('segment_features') %}

with

customer_features as (
    select * from {{ ref('customer_features') }}
),

segment_model as (
    select * from {{ ref('segment_model') }}
),

feature_values as (
    {%- for feature in features %}
        select
            customer_id,
            '{{ feature }}' as feature,
            cast({{ feature }} as {{ segment_type_double() }}) as raw_value
        from customer_features
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

feature_parameters as (
    select distinct
        feature,
        transform,
        impute_value,
        scaler_mean,
        scaler_scale
    from segment_model
),

imputed_values as (
    select
        feature_values.customer_id,
        feature_values.feature,
        feature_parameters.transform,
        feature_parameters.scaler_mean,
        feature_parameters.scaler_scale,
        coalesce(feature_values.raw_value, feature_parameters.impute_value) as imputed_value
    from feature_values
    inner join feature_parameters
        on feature_values.feature = feature_parameters.feature
),

standardised_values as (
    select
        customer_id,
        feature,
        (
            case
                when transform = 'log1p' then ln(1 + greatest(imputed_value, 0))
                else imputed_value
            end - scaler_mean
        ) / scaler_scale as scaled_value
    from imputed_values
),

squared_distances as (
    select
        standardised_values.customer_id,
        segment_model.segment_id,
        segment_model.segment_name,
        segment_model.run_id,
        segment_model.as_of_date,
        sum(
            (standardised_values.scaled_value - segment_model.centroid_scaled)
            * (standardised_values.scaled_value - segment_model.centroid_scaled)
        ) as squared_distance
    from standardised_values
    inner join segment_model
        on standardised_values.feature = segment_model.feature
    group by
        standardised_values.customer_id,
        segment_model.segment_id,
        segment_model.segment_name,
        segment_model.run_id,
        segment_model.as_of_date
),

ranked_segments as (
    select
        *,
        row_number() over (
            partition by customer_id
            order by squared_distance, segment_id
        ) as distance_rank
    from squared_distances
),

final as (
    select
        customer_id,
        segment_id,
        segment_name,
        sqrt(squared_distance) as distance_to_centroid,
        run_id,
        as_of_date
    from ranked_segments
    where distance_rank = 1
)

select * from final
