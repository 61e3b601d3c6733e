//! The table of row problems, shared by the preview and the report.
use leptos::prelude::*;

use crate::api::import::RowProblem;
use crate::i18n::*;

/// "E-mail address is not valid" with its details, as the error messages say it.
fn problem_text(locale: Locale, problem: &RowProblem) -> String {
    problem.code.describe(locale.into(), &problem.details)
}

#[component]
pub fn ProblemTable(problems: Vec<RowProblem>, #[prop(into)] id: String) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="table-wrap">
            <table class="table problems" id=id>
                <thead>
                    <tr>
                        <th scope="col" class="num">{t!(i18n, import.col_row)}</th>
                        <th scope="col">{t!(i18n, import.col_column)}</th>
                        <th scope="col">{t!(i18n, import.col_problem)}</th>
                    </tr>
                </thead>
                <tbody>
                    {problems.into_iter().map(|p| {
                        let row = p.row;
                        let column = p.column.clone();
                        view! {
                            <tr>
                                <td class="num">{row}</td>
                                <td>{column}</td>
                                <td>{move || problem_text(i18n.get_locale(), &p)}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
