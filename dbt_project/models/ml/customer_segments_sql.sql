-- Nearest-centroid scoring in SQL from the parameters stored in segment_model: impute, transform
-- (ln(1 + x), x clipped at 0), standardise, then pick the closest centroid (ties: lower segment_id).
-- Lets a warehouse score customers without Python; must agree with customer_segments.
-- Wide, one column per feature (the feature list is known at compile time): each customer is
-- scaled once and compared with each centroid in one row, so nothing is grouped by customer.
{%- set features = var_identifiers('segment_features') %}
{%- set parameter_columns = [] %}
{%- set centroid_columns = [] %}
{%- set scaled_columns = [] %}
{%- set squared_differences = [] %}
{%- for feature in features %}
    {%- set this_feature = "case when feature = '" ~ feature ~ "' then " %}
    {%- for parameter in ['transform', 'impute_value', 'scaler_mean', 'scaler_scale'] %}
        {%- do parameter_columns.append(
            'max(' ~ this_feature ~ parameter ~ ' end) as ' ~ feature ~ '__' ~ parameter) %}
    {%- endfor %}
    {%- do centroid_columns.append(
        'max(' ~ this_feature ~ 'centroid_scaled end) as ' ~ feature ~ '__centroid') %}
    {%- set imputed = 'coalesce(cast(customer_features.' ~ feature ~ ' as ' ~ type_double() ~ '), '
        ~ 'feature_parameters.' ~ feature ~ '__impute_value)' %}
    {%- do scaled_columns.append(
        '(case when feature_parameters.' ~ feature ~ "__transform = 'log1p' then ln(1 + greatest("
        ~ imputed ~ ', 0)) else ' ~ imputed ~ ' end - feature_parameters.' ~ feature ~ '__scaler_mean) / '
        ~ 'feature_parameters.' ~ feature ~ '__scaler_scale as ' ~ feature ~ '__scaled') %}
    {%- set difference = '(scaled_customers.' ~ feature ~ '__scaled - centroids.' ~ feature ~ '__centroid)' %}
    {%- do squared_differences.append(difference ~ ' * ' ~ difference) %}
{%- endfor %}

with

customer_features as (
    select * from {{ ref('customer_features') }}
),

segment_model as (
    select * from {{ ref('segment_model') }}
),

feature_parameters as (
    select
        {{ parameter_columns | join(',\n        ') }}
    from segment_model
),

centroids as (
    select
        segment_id,
        segment_name,
        run_id,
        as_of_date,
        {{ centroid_columns | join(',\n        ') }}
    from segment_model
    group by segment_id, segment_name, run_id, as_of_date
),

scaled_customers as (
    select
        customer_features.customer_id,
        {{ scaled_columns | join(',\n        ') }}
    from customer_features
    cross join feature_parameters
),

squared_distances as (
    select
        scaled_customers.customer_id,
        centroids.segment_id,
        centroids.segment_name,
        centroids.run_id,
        centroids.as_of_date,
        {{ squared_differences | join('\n        + ') }} as squared_distance
    from scaled_customers
    cross join centroids
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
