<?php
/*
 * soap_call.php — SOAP calls for tests/campaign/test_import.py, the way a
 * PHP integrator makes them. Reads a JSON list of calls on stdin, each
 * {"method": "importWS", "args": [...], "wsdl": true|false}, and prints a
 * JSON list of the returned strings (or "EXC: message").
 *
 * wsdl true: new SoapClient("$OCC_URL/coccwi.php?wsdl"), the manual's way;
 * false: a non-WSDL SoapClient (location + uri), which sends every
 * argument given, e.g. the asterCC 2.1 22-argument importWS.
 */
ini_set("soap.wsdl_cache_enabled", "0");
ini_set("default_socket_timeout", "15");
$url = rtrim(getenv("OCC_URL"), "/");
$calls = json_decode(stream_get_contents(STDIN), true);
$wsdl = new SoapClient("$url/coccwi.php?wsdl", ["cache_wsdl" => WSDL_CACHE_NONE,
	"exceptions" => true, "connection_timeout" => 10]);
$raw = new SoapClient(null, ["location" => "$url/coccwi.php", "uri" => "urn:coccWI",
	"exceptions" => true, "connection_timeout" => 10]);
$out = [];
foreach ($calls as $c) {
	try {
		if ($c["wsdl"])
			$out[] = $wsdl->{$c["method"]}(...$c["args"]);
		else
			$out[] = $raw->__soapCall($c["method"], $c["args"]);
	} catch (Throwable $e) {
		$out[] = "EXC: " . $e->getMessage();
	}
}
echo json_encode($out, JSON_UNESCAPED_UNICODE), "\n";
