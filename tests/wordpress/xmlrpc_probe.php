<?php
/**
 * A must-use plugin for wpcpd's XML-RPC tests (tests/test_xmlrpc_source.py copies it into a
 * sandbox's wp-content/mu-plugins/). For each request to xmlrpc.php it appends one JSON line
 * to xmlrpc-probe.log beside it: the User-Agent, the XML-RPC method and the HTTP status
 * answered. While the file xmlrpc-probe-fail holds a number above zero, it answers that
 * many requests with HTTP 503 (counting down), as an overloaded host does. While the file
 * xmlrpc-probe-noise exists, its text is printed before WordPress's answer, as PHP notices
 * are on hosts with display_errors on.
 */

if (defined('XMLRPC_REQUEST') && XMLRPC_REQUEST) {
    $wpcpd_probe_fail = __DIR__ . '/xmlrpc-probe-fail';
    $wpcpd_probe_left = is_file($wpcpd_probe_fail) ? (int) file_get_contents($wpcpd_probe_fail) : 0;
    preg_match('#<methodName>\s*([\w.]+)#', (string) file_get_contents('php://input'), $wpcpd_probe_method);
    file_put_contents(
        __DIR__ . '/xmlrpc-probe.log',
        json_encode([
            'user_agent' => $_SERVER['HTTP_USER_AGENT'] ?? '',
            'method' => $wpcpd_probe_method[1] ?? '',
            'status' => $wpcpd_probe_left > 0 ? 503 : 200,
        ]) . "\n",
        FILE_APPEND | LOCK_EX
    );
    if ($wpcpd_probe_left > 0) {
        file_put_contents($wpcpd_probe_fail, (string) ($wpcpd_probe_left - 1));
        status_header(503);
        header('Content-Type: text/plain');
        echo "Service temporarily unavailable (wpcpd test probe)\n";
        exit;
    }
    if (is_file(__DIR__ . '/xmlrpc-probe-noise')) {
        echo file_get_contents(__DIR__ . '/xmlrpc-probe-noise');
    }
}
