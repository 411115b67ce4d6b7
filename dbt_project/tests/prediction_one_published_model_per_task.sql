-- Each task has exactly one published model per fit role (purchase and spend for the evaluation
-- fits; purchase, spend and clv for the final fits), and the published evaluation fit of a task
-- is the same model as its final refit. Returns the offending (task, fit_role) rows.

with

registry as (
    select * from {{ ref('model_registry') }}
),

published as (
    select
        task,
        fit_role,
        count(*) as published_models,
        min(model_name) as model_name
    from registry
    where is_published
    group by task, fit_role
),

expected as (
    select
        task,
        fit_role
    from registry
    where evaluation_mode != 'none' or fit_role = 'final'
    group by task, fit_role
),

mismatched_refits as (
    select
        evaluation_fit.task,
        'final' as fit_role
    from published as evaluation_fit
    inner join published as final_fit
        on
            evaluation_fit.task = final_fit.task
            and evaluation_fit.fit_role = 'evaluation'
            and final_fit.fit_role = 'final'
    where evaluation_fit.model_name != final_fit.model_name
),

final as (
    select
        expected.task,
        expected.fit_role,
        coalesce(published.published_models, 0) as published_models
    from expected
    left join published
        on
            expected.task = published.task
            and expected.fit_role = published.fit_role
    where coalesce(published.published_models, 0) != 1

    union all

    select
        task,
        fit_role,
        -1 as published_models
    from mismatched_refits
)

select * from final
