/** Pages that front ends, PHP and Moodle answer with instead of JSON. */

const STATUS_TEXT: Readonly<Record<number, string>> = {
  404: 'Not Found',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

/** What nginx in front of PHP-FPM shows for its own errors. */
export function proxyErrorPage(status: number): string {
  const title = `${status} ${STATUS_TEXT[status] ?? 'Error'}`;
  return (
    `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n` +
    `<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`
  );
}

const DML_READ_EXCEPTION_DOCS = 'https://docs.moodle.org/405/en/error/moodle/dmlreadexception';

/** Moodle's own error page, sent with HTTP 200 when a script dies before the web-service layer. */
export const MOODLE_ERROR_PAGE = `<!DOCTYPE html>
<html dir="ltr" lang="en" xml:lang="en">
<head><title>Error</title></head>
<body>
<div class="box py-3 errorbox alert alert-danger">
<p class="errormessage">Error reading from database</p>
<p class="errorcode"><a href="${DML_READ_EXCEPTION_DOCS}">More information about this error</a></p>
</div>
</body>
</html>
`;

/** PHP notices printed before the JSON when display_errors is on. */
export const PHP_WARNING_PREFIX =
  '<br />\n<b>Warning</b>:  Undefined array key "grade" in ' +
  '<b>/var/www/moodle/grade/report/user/classes/report/user.php</b> on line <b>812</b><br />\n';

/**
 * The page of Moodle's CLI maintenance mode (lib/adminlib.php enable_cli_maintenance_mode: "<site> under
 * maintenance" and the sitemaintenance string), which lib/setup.php sends with HTTP 503 to every request.
 */
export function cliMaintenancePage(siteName: string): string {
  return `<!DOCTYPE html>
<html dir="ltr" lang="en" xml:lang="en">
<head>
<title>${siteName} under maintenance</title>
<meta http-equiv="content-type" content="text/html; charset=utf-8" />
</head>
<body><div class="alert alert-danger">The site is undergoing maintenance and is currently not available</div></body>
</html>
`;
}

/** What an auth plugin or require_login sends with its redirect to the login page. */
export function redirectPage(location: string): string {
  return `<!DOCTYPE html>
<html><head><title>Redirect</title></head>
<body><a href="${location}">This page should automatically redirect. If nothing is happening please use the continue link below.</a></body>
</html>
`;
}
