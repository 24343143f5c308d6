// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ChannelFixture} from "./utils/ChannelFixture.sol";
import {console} from "./utils/Test.sol";
import {ChannelSettlement} from "../src/ChannelSettlement.sol";
import {IChannelSettlement} from "../src/interfaces/IChannelSettlement.sol";

/// @notice Issue #12 (settlement v2): one test per finding, each failing on the v1 contract.
contract ChannelSettlementFindingsTest is ChannelFixture {
    bytes32 internal id;

    function setUp() public override {
        super.setUp();
        id = _open(3, 2);
        _deposit(id, 0, 100);
        _deposit(id, 1, 200);
        _deposit(id, 2, 300);
    }

    function _bals(uint256 a, uint256 b, uint256 c) internal view returns (Balance[] memory bals) {
        bals = new Balance[](3);
        bals[0] = Balance(wallets[0], address(token), a);
        bals[1] = Balance(wallets[1], address(token), b);
        bals[2] = Balance(wallets[2], address(token), c);
    }

    function _claimAs(uint64 version, Balance[] memory bals, uint256 which) internal {
        bytes32[] memory proof = _proof(id, version, bals, which);
        vm.prank(bals[which].participant);
        settlement.claim(id, bals[which].token, bals[which].amount, proof);
    }

    // ---------------------------------------------------------------- (a) High: stale exit

    /// P0 exits with an old fully signed checkpoint (100) although its balance fell to 10. v1 paid it at once;
    /// P2, who never traded, could then claim nothing (InsufficientHoldings(300, 210)) and 210 stayed stuck.
    function test_Finding_StaleExitIsNotPaidAndHonestParticipantsGetFinalBalances() public {
        Balance[] memory old = _bals(100, 200, 300);
        IChannelSettlement.Checkpoint memory cp1 = _cp(1, _root(id, 1, old));
        bytes32[] memory proof = _proof(id, 1, old, 0);
        bytes[] memory allSigs = _signCp(id, cp1, 3);
        vm.prank(wallets[0]);
        settlement.emergencyExit(id, cp1, allSigs, address(token), 100, proof);
        vm.assertEq(settlement.owed(wallets[0], address(token)), 0, "nothing paid before the dispute ends");
        vm.assertEq(settlement.holdings(id, address(token)), 600, "holdings untouched");
        vm.assertEq(uint256(settlement.getChannel(id).status), uint256(IChannelSettlement.Status.Closing), "settlement started");

        // P1 (with the app open) answers with the newest checkpoint, signed by a quorum
        Balance[] memory last = _bals(10, 290, 300);
        IChannelSettlement.Checkpoint memory cp2 = _cp(2, _root(id, 2, last));
        vm.warp(T0 + 10);
        settlement.propose(id, cp2, _signCp(id, cp2, 2));
        vm.warp(settlement.getChannel(id).deadline);
        settlement.finalize(id);

        // the stale leaf is worthless now
        vm.expectRevert(IChannelSettlement.ChannelSettlementInvalidProof.selector);
        vm.prank(wallets[0]);
        settlement.claim(id, address(token), 100, proof);

        _claimAs(2, last, 0);
        _claimAs(2, last, 1);
        _claimAs(2, last, 2);
        vm.assertEq(settlement.owed(wallets[0], address(token)), 10, "P0: its final leaf, no more");
        vm.assertEq(settlement.owed(wallets[1], address(token)), 290, "P1: final leaf");
        vm.assertEq(settlement.owed(wallets[2], address(token)), 300, "P2 never traded: full balance");
        vm.assertEq(settlement.holdings(id, address(token)), 0, "nothing stuck");
    }

    /// An exit with the pending checkpoint joins it: no revert, no new deadline, no payment.
    function test_Finding_ExitJoinsPendingCheckpointWithoutPaying() public {
        Balance[] memory bals = _bals(150, 150, 300);
        IChannelSettlement.Checkpoint memory cp = _cp(4, _root(id, 4, bals));
        settlement.propose(id, cp, _signCp(id, cp, 2));
        vm.warp(T0 + 100);
        bytes32[] memory proof = _proof(id, 4, bals, 2);
        bytes[] memory sigs = _signCp(id, cp, 2);
        vm.prank(wallets[2]);
        settlement.emergencyExit(id, cp, sigs, address(token), 300, proof);
        vm.assertEq(settlement.getChannel(id).deadline, T0 + WINDOW, "deadline unchanged");
        vm.assertEq(settlement.owed(wallets[2], address(token)), 0, "not paid before finalization");
        vm.assertFalse(settlement.isSettled(id, wallets[2], address(token)), "still claimable");
    }

    // ---------------------------------------------------------------- (b) Medium: all-or-nothing claims

    /// Leaves worth more than the channel holds (a dishonest quorum, or a token that lost balance): v1 reverted the
    /// last claim as a whole, so what was left could never leave. Now it pays what is there and records the rest.
    function test_Finding_ClaimPaysWhatIsAvailableAndRecordsTheRest() public {
        Balance[] memory bals = _bals(100, 300, 400); // 800 > 600 held
        _finalize(id, _cp(1, _root(id, 1, bals)), 2);
        _claimAs(1, bals, 0);
        _claimAs(1, bals, 1);
        vm.expectEmit(true, true, true, true);
        emit IChannelSettlement.Claimed(id, wallets[2], address(token), 200, 200, 1);
        _claimAs(1, bals, 2);
        vm.assertEq(settlement.owed(wallets[2], address(token)), 200, "what was left");
        vm.assertEq(settlement.unpaid(id, wallets[2], address(token)), 200, "the rest is recorded");
        vm.assertEq(settlement.holdings(id, address(token)), 0, "nothing stranded");
        vm.assertTrue(settlement.isSettled(id, wallets[2], address(token)), "settled once");
    }

    // ---------------------------------------------------------------- (c) Low: slashing and keys

    function _twins(bytes32 channel, uint256 author, uint64 seq)
        internal
        view
        returns (IChannelSettlement.BlockHeader memory a, IChannelSettlement.BlockHeader memory b)
    {
        a = _header(channel, author, seq, keccak256("ops A"));
        b = _header(channel, author, seq, keccak256("ops B"));
    }

    /// v1 let an equivocator release its bond the moment the channel was final, ahead of the evidence.
    function test_Finding_BondLockedWhileASlashMayStillArrive() public {
        _bond(id, 1, 1 ether);
        _finalize(id, _cp(1, bytes32(0)), 2);
        uint64 unlock = settlement.getChannel(id).deadline + WINDOW;
        vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementBondLocked.selector, id, unlock));
        vm.prank(wallets[1]);
        settlement.releaseBond(id);

        (IChannelSettlement.BlockHeader memory a, IChannelSettlement.BlockHeader memory b) = _twins(id, 1, 4);
        vm.warp(unlock - 1);
        settlement.slash(id, a, b); // the last second of the evidence window
        vm.assertEq(settlement.getParticipant(id, wallets[1]).bond, 0, "slashed before it could leave");
    }

    /// Once bonds can be released, no evidence is accepted any more: the two windows never overlap.
    function test_Finding_NoSlashAfterTheBondWindow() public {
        _bond(id, 2, 1 ether);
        _finalize(id, _cp(1, bytes32(0)), 2);
        uint64 unlock = settlement.getChannel(id).deadline + WINDOW;
        vm.warp(unlock);
        (IChannelSettlement.BlockHeader memory a, IChannelSettlement.BlockHeader memory b) = _twins(id, 2, 4);
        vm.expectRevert(
            abi.encodeWithSelector(IChannelSettlement.ChannelSettlementEvidenceWindowClosed.selector, id, unlock)
        );
        settlement.slash(id, a, b);
        vm.prank(wallets[2]);
        settlement.releaseBond(id);
        vm.assertEq(settlement.owed(wallets[2], address(0)), 1 ether, "bond back");
    }

    /// v1 paid half the bond to msg.sender: a bot front-running the evidence, or the equivocator itself from another
    /// address, took it. Now the whole bond goes to the other participants, whoever submits.
    function test_Finding_SlashRewardGoesToParticipantsNotSubmitter() public {
        _bond(id, 0, 1 ether + 1);
        (IChannelSettlement.BlockHeader memory a, IChannelSettlement.BlockHeader memory b) = _twins(id, 0, 9);
        address accomplice = address(0xacc);
        vm.prank(accomplice);
        settlement.slash(id, a, b);
        vm.assertEq(settlement.owed(accomplice, address(0)), 0, "submitter earns nothing");
        vm.assertEq(settlement.owed(wallets[0], address(0)), 0, "author earns nothing");
        vm.assertEq(settlement.owed(wallets[1], address(0)), 0.5 ether + 1, "share + dust to the lowest index");
        vm.assertEq(settlement.owed(wallets[2], address(0)), 0.5 ether, "share");
    }

    /// A participant already proven dishonest earns nothing from another's slash (colluding equivocators cannot
    /// recover part of a partner's bond); if every other participant is slashed, they all share it as before.
    function test_Finding_SlashedParticipantsEarnNoShare() public {
        _bond(id, 0, 1 ether);
        _bond(id, 1, 1 ether);
        (IChannelSettlement.BlockHeader memory a, IChannelSettlement.BlockHeader memory b) = _twins(id, 1, 3);
        settlement.slash(id, a, b); // participant 1 first: 0 and 2 share its bond
        vm.assertEq(settlement.owed(wallets[0], address(0)), 0.5 ether, "0 honest so far");
        (a, b) = _twins(id, 0, 3);
        settlement.slash(id, a, b); // then participant 0: only 2 is honest
        vm.assertEq(settlement.owed(wallets[1], address(0)), 0, "the slashed 1 gets no share");
        vm.assertEq(settlement.owed(wallets[2], address(0)), 1.5 ether, "the honest participant gets it");

        // a two-party channel where the other side was slashed first still shares (nobody else to pay)
        IChannelSettlement.OpenParams memory p2 = _params(2, 2);
        p2.nonce = 5;
        bytes32 small = _open(p2);
        _bond(small, 0, 3);
        (a, b) = _twins(small, 1, 1);
        settlement.slash(small, a, b);
        (a, b) = _twins(small, 0, 1);
        settlement.slash(small, a, b);
        vm.assertEq(settlement.owed(wallets[1], address(0)), 3, "fallback: all but the author");
    }

    /// v1 let anyone submit `open`: with a superseded key authorisation lying around, a stranger could open the
    /// channel with it. Now only a participant may open.
    function test_Finding_OnlyAParticipantMayOpen() public {
        IChannelSettlement.OpenParams memory p = _params(3, 2);
        p.nonce = 77;
        bytes[] memory sigs = _authSigs(p);
        vm.expectRevert(
            abi.encodeWithSelector(
                IChannelSettlement.ChannelSettlementNotParticipant.selector,
                settlement.computeChannelId(p),
                address(0xbeef)
            )
        );
        vm.prank(address(0xbeef));
        settlement.open(p, sigs);
        vm.prank(wallets[2]);
        settlement.open(p, sigs);
    }

    // ---------------------------------------------------------------- (d) new signed types

    function _cpCredit(uint64 version, bytes32 root, uint64 credited)
        internal
        pure
        returns (IChannelSettlement.Checkpoint memory cp)
    {
        cp = _cp(version, root);
        cp.depositCount = credited;
    }

    /// v1 checkpoints did not say which deposits they credit: a deposit made just before an older checkpoint was
    /// proposed and finalized had no way out. Now records at or above the final depositCount are refundable.
    function test_Finding_UncreditedDepositIsRefundedToItsDepositor() public {
        uint64 late = _deposit(id, 1, 50); // record 3: after the checkpoint was taken
        Balance[] memory bals = _bals(100, 200, 300);
        _finalize(id, _cpCredit(1, _root(id, 1, bals), 3), 2);
        _claimAs(1, bals, 0);
        _claimAs(1, bals, 1);
        _claimAs(1, bals, 2);
        vm.assertEq(settlement.holdings(id, address(token)), 50, "the late deposit is still held");

        vm.expectRevert(
            abi.encodeWithSelector(IChannelSettlement.ChannelSettlementDepositCredited.selector, id, 2, 3)
        );
        settlement.refundDeposit(id, 2);
        vm.expectEmit(true, true, true, true);
        emit IChannelSettlement.DepositRefunded(id, late, wallets[1], address(token), 50, 0);
        vm.prank(address(0xbeef)); // anyone may trigger it; the money goes to the depositor
        settlement.refundDeposit(id, late);
        vm.assertEq(settlement.owed(wallets[1], address(token)), 250, "leaf + refund");
        vm.assertEq(settlement.holdings(id, address(token)), 0, "nothing stranded");
        vm.expectRevert(
            abi.encodeWithSelector(IChannelSettlement.ChannelSettlementAlreadyRefunded.selector, id, late)
        );
        settlement.refundDeposit(id, late);
    }

    function test_Finding_RefundNeedsFinalization() public {
        uint64 late = _deposit(id, 1, 50);
        vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementNotFinalized.selector, id));
        settlement.refundDeposit(id, late);
        IChannelSettlement.Checkpoint memory cp = _cpCredit(1, bytes32(0), 3);
        settlement.propose(id, cp, _signCp(id, cp, 2));
        vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementNotFinalized.selector, id));
        settlement.refundDeposit(id, late);
        vm.warp(T0 + WINDOW);
        settlement.finalize(id);
        vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementDepositNotFound.selector, id, 9));
        settlement.refundDeposit(id, 9);
        settlement.refundDeposit(id, late);
        vm.assertTrue(settlement.isRefunded(id, late), "refunded");
    }

    /// A checkpoint cannot credit deposits the contract has not recorded.
    function test_Finding_CheckpointCannotCreditUnknownDeposits() public {
        IChannelSettlement.Checkpoint memory cp = _cpCredit(1, bytes32(0), 4);
        bytes[] memory sigs = _signCp(id, cp, 2);
        vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementUnknownDeposits.selector, 4, 3));
        settlement.propose(id, cp, sigs);
        cp.forcedCount = 1;
        cp.depositCount = 3;
        sigs = _signCp(id, cp, 2);
        vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementUnknownForcedOps.selector, 1, 0));
        settlement.propose(id, cp, sigs);
    }

    /// Info: v1 kept whichever same-version checkpoint arrived first; the core's rule is the lowest digest, so
    /// the outcome no longer depends on who reaches the chain first.
    function test_Finding_SameVersionConflictLowestDigestWinsInEitherOrder() public {
        IChannelSettlement.Checkpoint memory x = _cp(3, keccak256("x"));
        IChannelSettlement.Checkpoint memory y = _cp(3, keccak256("y"));
        bytes32 dx = settlement.hashCheckpoint(id, x);
        bytes32 dy = settlement.hashCheckpoint(id, y);
        (IChannelSettlement.Checkpoint memory low, IChannelSettlement.Checkpoint memory high) = dx < dy ? (x, y) : (y, x);
        bytes[] memory lowSigs = _signCp(id, low, 2);
        bytes[] memory highSigs = _signCp(id, high, 2);

        settlement.propose(id, high, highSigs);
        vm.warp(T0 + 10);
        settlement.propose(id, low, lowSigs);
        vm.assertEq(settlement.getChannel(id).checkpoint.digest, dx < dy ? dx : dy, "lower digest replaced higher");
        vm.expectRevert(
            abi.encodeWithSelector(IChannelSettlement.ChannelSettlementCheckpointConflict.selector, 3, dx < dy ? dx : dy)
        );
        settlement.propose(id, high, highSigs);
    }

    /// DoubleSpending now includes one author signing two blocks in one round (with different seqs).
    function test_Finding_SameRoundDifferentSeqIsSlashable() public {
        _bond(id, 2, 3 ether);
        IChannelSettlement.BlockHeader memory a = _headerAt(id, 2, 4, 9, keccak256("a"));
        IChannelSettlement.BlockHeader memory b = _headerAt(id, 2, 5, 9, keccak256("b"));
        settlement.slash(id, a, b);
        vm.assertTrue(settlement.getParticipant(id, wallets[2]).slashed, "slashed");
        vm.assertEq(settlement.owed(wallets[0], address(0)), 1.5 ether, "share");
    }

    /// InvalidStateSubmission: one participant's key signs two checkpoint digests at one version.
    function test_Finding_TwoCheckpointsAtOneVersionAreSlashable() public {
        _bond(id, 1, 2 ether);
        IChannelSettlement.Checkpoint memory x = _cp(6, keccak256("x"));
        IChannelSettlement.Checkpoint memory y = _cp(6, keccak256("y"));
        bytes memory sx = _sign(sessionKeys[1], settlement.hashCheckpoint(id, x));
        bytes memory sy = _sign(sessionKeys[1], settlement.hashCheckpoint(id, y));
        vm.expectEmit(true, true, true, true);
        emit IChannelSettlement.Slashed(
            id,
            wallets[1],
            address(this),
            IChannelSettlement.Offence.InvalidStateSubmission,
            2 ether,
            settlement.hashCheckpoint(id, x),
            settlement.hashCheckpoint(id, y)
        );
        settlement.slashCheckpoints(id, x, sx, y, sy);
        vm.assertEq(settlement.owed(wallets[0], address(0)), 1 ether, "share 0");
        vm.assertEq(settlement.owed(wallets[2], address(0)), 1 ether, "share 2");
        vm.expectRevert(
            abi.encodeWithSelector(IChannelSettlement.ChannelSettlementAlreadySlashed.selector, id, wallets[1])
        );
        settlement.slashCheckpoints(id, x, sx, y, sy);
    }

    function test_Finding_CheckpointEvidenceMustConflict() public {
        IChannelSettlement.Checkpoint memory x = _cp(6, keccak256("x"));
        IChannelSettlement.Checkpoint memory y = _cp(7, keccak256("y"));
        bytes memory sx = _sign(sessionKeys[1], settlement.hashCheckpoint(id, x));
        bytes memory sy = _sign(sessionKeys[1], settlement.hashCheckpoint(id, y));
        vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementVersionMismatch.selector, 6, 7));
        settlement.slashCheckpoints(id, x, sx, y, sy);
        bytes32 dx = settlement.hashCheckpoint(id, x);
        vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementIdenticalCheckpoints.selector, dx));
        settlement.slashCheckpoints(id, x, sx, x, _highS(sx));
        // two keys, one signature each: no single key signed both
        y.version = 6;
        bytes32 dy = settlement.hashCheckpoint(id, y);
        bytes memory other = _sign(sessionKeys[2], dy);
        vm.expectRevert(
            abi.encodeWithSelector(IChannelSettlement.ChannelSettlementWrongSigner.selector, 1, sessions[1], sessions[2])
        );
        settlement.slashCheckpoints(id, x, sx, y, other);
        // a wallet key is no session key
        bytes memory wx = _sign(walletKeys[1], dx);
        bytes memory wy = _sign(walletKeys[1], dy);
        vm.expectRevert(
            abi.encodeWithSelector(IChannelSettlement.ChannelSettlementUnauthorizedSigner.selector, 0, wallets[1])
        );
        settlement.slashCheckpoints(id, x, wx, y, wy);
    }

    // ---------------------------------------------------------------- (e) Info: the participant cap

    /// v1 allowed 256 participants, whose `open` needs ~19.6 M gas: above the 16,777,216 per-transaction cap
    /// (EIP-7825), so such a channel could never open. At the new cap the whole transaction fits: execution,
    /// the 21,000 base and the calldata.
    function test_Finding_OpenAtTheParticipantCapFitsTheTransactionGasCap() public {
        uint256 n = ChannelSettlement(address(settlement)).MAX_PARTICIPANTS();
        IChannelSettlement.OpenParams memory p = _params(n, uint16(n - (n - 1) / 3));
        bytes[] memory sigs = _authSigs(p);
        bytes memory data = abi.encodeCall(settlement.open, (p, sigs));
        uint256 calldataGas;
        for (uint256 i = 0; i < data.length; ++i) {
            calldataGas += data[i] == 0 ? 4 : 16;
        }
        vm.prank(wallets[0]);
        settlement.open(p, sigs);
        uint256 total = vm.lastCallGas().gasTotalUsed + 21_000 + calldataGas;
        console.log("open at the cap: execution + base + calldata", total);
        vm.assertLe(total, 16_777_216, "open at the cap fits one transaction");
    }

    // ---------------------------------------------------------------- (e) Info: no escape

    /// v1 had no way out when fewer than the threshold are ever reachable and no checkpoint exists: the deposits
    /// stayed locked. After the escape window every deposit goes back to its depositor.
    function test_Finding_LivenessEscapeRefundsEveryDeposit() public {
        vm.expectRevert(
            abi.encodeWithSelector(IChannelSettlement.ChannelSettlementNotParticipant.selector, id, address(0xbeef))
        );
        vm.prank(address(0xbeef));
        settlement.escape(id);
        vm.expectEmit(true, true, false, true);
        emit IChannelSettlement.EscapeStarted(id, wallets[2], uint64(T0 + 30 days));
        vm.prank(wallets[2]);
        settlement.escape(id);
        vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementChannelNotOpen.selector, id));
        vm.prank(wallets[0]);
        settlement.depositEth{value: 0}(id);

        vm.warp(T0 + 30 days - 1);
        vm.expectRevert(
            abi.encodeWithSelector(IChannelSettlement.ChannelSettlementDisputeOpen.selector, uint64(T0 + 30 days))
        );
        settlement.finalize(id);
        vm.warp(T0 + 30 days);
        settlement.finalize(id);
        for (uint64 i = 0; i < 3; ++i) {
            settlement.refundDeposit(id, i);
        }
        vm.assertEq(settlement.owed(wallets[0], address(token)), 100, "refund 0");
        vm.assertEq(settlement.owed(wallets[1], address(token)), 200, "refund 1");
        vm.assertEq(settlement.owed(wallets[2], address(token)), 300, "refund 2");
        vm.assertEq(settlement.holdings(id, address(token)), 0, "nothing stranded");
    }

    /// A quorum checkpoint within the escape window replaces the escape and settlement runs as usual.
    function test_Finding_EscapeYieldsToAQuorumCheckpoint() public {
        vm.prank(wallets[0]);
        settlement.escape(id);
        vm.warp(T0 + 10 days);
        Balance[] memory bals = _bals(50, 250, 300);
        IChannelSettlement.Checkpoint memory cp = _cpCredit(1, _root(id, 1, bals), 3);
        settlement.propose(id, cp, _signCp(id, cp, 2));
        IChannelSettlement.ChannelInfo memory info = settlement.getChannel(id);
        vm.assertEq(info.deadline, T0 + 10 days + WINDOW, "a normal first proposal");
        vm.assertEq(info.firstProposalAt, T0 + 10 days, "restarted");
        vm.warp(info.deadline);
        settlement.finalize(id);
        _claimAs(1, bals, 0);
        vm.assertEq(settlement.owed(wallets[0], address(token)), 50, "the checkpoint's leaf");
        vm.expectRevert(
            abi.encodeWithSelector(IChannelSettlement.ChannelSettlementDepositCredited.selector, id, 0, 3)
        );
        settlement.refundDeposit(id, 0);
    }

    function test_Finding_EscapeEndsAtItsDeadline() public {
        vm.prank(wallets[0]);
        settlement.escape(id);
        vm.warp(T0 + 30 days);
        IChannelSettlement.Checkpoint memory cp = _cpCredit(1, bytes32(0), 3);
        bytes[] memory sigs = _signCp(id, cp, 2);
        vm.expectRevert(
            abi.encodeWithSelector(IChannelSettlement.ChannelSettlementDisputeClosed.selector, uint64(T0 + 30 days))
        );
        settlement.propose(id, cp, sigs);
    }

    // ---------------------------------------------------------------- (e) gas: claim and withdraw at once

    function test_ClaimAndWithdrawPaysInOneCall() public {
        Balance[] memory bals = _bals(100, 200, 300);
        _finalize(id, _cpCredit(1, _root(id, 1, bals), 3), 2);
        bytes32[] memory proof = _proof(id, 1, bals, 1);
        vm.prank(wallets[1]);
        settlement.claimAndWithdraw(id, address(token), 200, proof);
        vm.assertEq(token.balanceOf(wallets[1]), 200, "paid out");
        vm.assertEq(settlement.owed(wallets[1], address(token)), 0, "nothing left owed");
        vm.expectRevert(
            abi.encodeWithSelector(
                IChannelSettlement.ChannelSettlementAlreadySettled.selector, id, wallets[1], address(token)
            )
        );
        vm.prank(wallets[1]);
        settlement.claimAndWithdraw(id, address(token), 200, proof);
    }
}
