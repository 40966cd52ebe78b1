package dev.syncjobs.app.web;

/** An HTTP-level error the web layer raises itself (401, 403, 404 of a path, 413, 415). */
final class ApiProblem extends RuntimeException {
  final int status;
  final String title;

  ApiProblem(int status, String title, String detail) {
    super(detail);
    this.status = status;
    this.title = title;
  }

  static ApiProblem unauthorized() {
    return new ApiProblem(
        401,
        "Unauthorized",
        "send 'Authorization: Bearer <token>' (the admin token is in <data>/admin.token unless"
            + " SYNCJOBS_ADMIN_TOKEN is set)");
  }

  static ApiProblem forbidden() {
    return new ApiProblem(403, "Forbidden", "the viewer role may only read; this needs admin");
  }

  static ApiProblem notFound(String detail) {
    return new ApiProblem(404, "Not Found", detail);
  }
}
