"""Stripe's error envelope, {"error": {"type", "code", "message", "param"}}, and its statuses."""


class StripeError(Exception):
    """An error answered to the client. `saved` says whether idempotency keeps it.

    Stripe saves a key's result once the endpoint has started executing; a request that fails
    parameter validation saves nothing, so the same key may be retried with corrected params.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int = 400,
        type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
        saved: bool = True,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.type = type
        self.code = code
        self.param = param
        self.saved = saved

    def body(self) -> dict:
        return {
            "error": {
                "type": self.type,
                "code": self.code,
                "message": self.message,
                "param": self.param,
            }
        }


class InvalidParam(StripeError):
    """A parameter failed validation: 400, and no idempotent result is saved."""

    def __init__(self, message: str, *, param: str | None, code: str = "parameter_invalid") -> None:
        super().__init__(message, code=code, param=param, saved=False)


def missing(param: str) -> InvalidParam:
    return InvalidParam(f"Missing required param: {param}.", param=param, code="parameter_missing")


def no_such(kind: str, object_id: str, *, param: str = "id") -> StripeError:
    return StripeError(
        f"No such {kind}: '{object_id}'", status=404, code="resource_missing", param=param
    )
