<?php
/*
 * soap.php URL METHOD [ARG...] — one call through PHP's SoapClient with
 * occd's WSDL, positional as in the manual's example
 * ($client->groupStatusNum('demo', '6002', 'all')); prints the returned
 * string. A SoapFault goes to stderr with exit status 1.
 */
ini_set("soap.wsdl_cache_enabled", "0");
if ($argc < 3) {
	fwrite(STDERR, "usage: soap.php URL METHOD [ARG...]\n");
	exit(2);
}
$method = $argv[2];
$args = array_slice($argv, 3);
try {
	$client = new SoapClient($argv[1] . "/coccwi.php?wsdl",
				 ["connection_timeout" => 10]);
	echo $client->$method(...$args), "\n";
} catch (SoapFault $f) {
	fwrite(STDERR, "SoapFault: " . $f->faultstring . "\n");
	exit(1);
}
