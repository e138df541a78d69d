//! Errors as pages: a missing record, a search the engine refuses (with the parameter at
//! fault), a busy server. The status comes from the API's one mapping of errors to statuses.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::html;

use super::i18n::Lang;
use super::layout::{self, Page};
use crate::api::ApiError;

pub struct PageError {
    pub lang: Lang,
    pub error: ApiError,
}

impl PageError {
    pub fn new(lang: Lang, error: impl Into<ApiError>) -> PageError {
        PageError {
            lang,
            error: error.into(),
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let words = self.lang.words();
        let (status, _code, field, _problems) = self.error.classify();
        let title = match status {
            StatusCode::NOT_FOUND => words.not_found_title,
            StatusCode::BAD_REQUEST => words.bad_search_title,
            _ => words.unavailable_title,
        };
        let detail = (status != StatusCode::NOT_FOUND).then(|| self.error.public_message());
        let body = html! {
            div.notice {
                h1 { (title) }
                @if status == StatusCode::NOT_FOUND {
                    p { (words.not_found_text) }
                }
                @if let Some(field) = field.as_ref().filter(|_| status == StatusCode::BAD_REQUEST) {
                    p { (words.bad_parameter.replace("{field}", field)) }
                }
                @if let Some(detail) = &detail {
                    p.detail lang="en" {
                        @if let Some(field) = &field { code { (field) } ": " }
                        (detail)
                    }
                }
                p { a href=(layout::home_href(self.lang)) { (words.back_to_search) } }
            }
        };
        let page = layout::render(Page {
            lang: self.lang,
            title: title.to_owned(),
            other_language_href: layout::home_href(self.lang.other()).to_owned(),
            json_ld: None,
            map: false,
            body,
        });
        let mut response = (status, super::html(page)).into_response();
        if let Some(value) = self
            .error
            .retry_after()
            .and_then(|s| HeaderValue::from_str(&s.to_string()).ok())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}
