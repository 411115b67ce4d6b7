-- Customer features at the scoring cutoff (var as_of_date, default the last clean order date):
-- the `score` rows of customer_feature_snapshots, one row per customer.
{%- set feature_columns = feature_column_names() %}

with

snapshots as (
    select * from {{ ref('customer_feature_snapshots') }}
),

final as (
    select
        {% for column in feature_columns %}
            {{ column }}{% if not loop.last %},{% endif %}
        {% endfor %}
    from snapshots
    where cutoff_role = 'score'
)

select * from final
