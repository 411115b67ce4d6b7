-- Deciles of the evaluation split by predicted value (1 = highest): what each decile predicted and
-- what its customers actually did, the lift over the average customer, and the cumulative share of
-- all purchasers (purchase task) or of all spend (spend task) reached by targeting down to it.

with

evaluation as (
    select * from {{ ref('prediction_evaluation') }}
),

ranked as (
    select
        'purchase' as task,
        ntile(10) over (order by p_purchase desc, customer_id asc) as decile,
        p_purchase,
        predicted_spend,
        purchased_next_horizon,
        spend_next_horizon
    from evaluation

    union all

    select
        'spend' as task,
        ntile(10) over (order by predicted_spend desc, customer_id asc) as decile,
        p_purchase,
        predicted_spend,
        purchased_next_horizon,
        spend_next_horizon
    from evaluation
),

deciles as (
    select
        task,
        decile,
        count(*) as customers,
        {{ avg_double('p_purchase') }} as avg_p_purchase,
        {{ avg_double('predicted_spend') }} as avg_predicted_spend,
        sum(case when purchased_next_horizon then 1 else 0 end) as purchasers,
        {{ avg_double('case when purchased_next_horizon then 1.0 else 0.0 end') }} as purchase_rate,
        {{ avg_double('spend_next_horizon') }} as avg_actual_spend,
        sum(spend_next_horizon) as actual_spend
    from ranked
    group by task, decile
),

with_totals as (
    select
        *,
        sum(purchasers) over (partition by task) as total_purchasers,
        sum(customers) over (partition by task) as total_customers,
        sum(actual_spend) over (partition by task) as total_spend,
        sum(purchasers) over (
            partition by task order by decile rows between unbounded preceding and current row
        ) as cumulative_purchasers,
        sum(actual_spend) over (
            partition by task order by decile rows between unbounded preceding and current row
        ) as cumulative_spend
    from deciles
),

final as (
    select
        {{ dbt.cast('task', dbt.type_string()) }} as task,
        cast(decile as integer) as decile,
        cast(customers as bigint) as customers,
        cast(avg_p_purchase as double) as avg_p_purchase,
        cast(avg_predicted_spend as double) as avg_predicted_spend,
        cast(purchasers as bigint) as purchasers,
        cast(purchase_rate as double) as purchase_rate,
        cast(avg_actual_spend as double) as avg_actual_spend,
        cast(
            case
                when task = 'purchase'
                    then purchase_rate / {{ safe_divide('total_purchasers', 'total_customers') }}
                else avg_actual_spend / {{ safe_divide('total_spend', 'total_customers') }}
            end as double
        ) as lift,
        cast(
            case
                when task = 'purchase'
                    then {{ safe_divide('cumulative_purchasers', 'total_purchasers') }}
                else {{ safe_divide('cumulative_spend', 'total_spend') }}
            end as double
        ) as cumulative_actual_share
    from with_totals
)

select * from final
