#!/usr/bin/perl -w
# Runs lore/lei queries against a public-inbox v2 inbox with public-inbox's
# own search code (PublicInbox::Search, the code behind lore and `lei q`).
# Usage: pi_query.pl INBOXDIR < queries   (one query per line)
# Output per query: "Q <query>", then one Message-ID per line (or "ERR msg"),
# then "END".
use strict;
use v5.10.1;
use PublicInbox::Inbox;
binmode STDOUT, ':utf8';
binmode STDIN, ':utf8';
my $dir = shift or die "usage: $0 INBOXDIR\n";
my $ibx = PublicInbox::Inbox->new({ inboxdir => $dir, name => 'x',
	address => ['x@example.invalid'], indexlevel => 'full' });
my $srch = $ibx->search or die "no search index in $dir\n";
while (my $q = <STDIN>) {
	chomp $q;
	next if $q eq '';
	print "Q $q\n";
	my $qs = $q;
	eval {
		$srch->query_approxidate($ibx->git, $qs);
		my $mset = $srch->mset($qs, { limit => 200000, relevance => -1 });
		my $smsgs = $srch->mset_to_smsg($ibx, $mset);
		print "$_->{mid}\n" for @$smsgs;
	};
	if ($@) { my $e = "$@"; $e =~ s/\n/ /g; print "ERR $e\n"; }
	print "END\n";
}
