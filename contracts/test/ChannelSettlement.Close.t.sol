// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";

import {CloseFixture} from "./utils/CloseFixture.sol";
import {ChannelSettlement} from "../src/ChannelSettlement.sol";
import {IChannelSettlement} from "../src/interfaces/IChannelSettlement.sol";
import {ICooperativeClose} from "../src/interfaces/ICooperativeClose.sol";
import {HookToken} from "./mocks/HookToken.sol";
import {Reenterer} from "./mocks/Reenterer.sol";

/// @notice A receiver that burns every unit of gas it is given (a griefer trying to block a close).
contract GasBurner {
    receive() external payable {
        while (true) {}
    }
}

/// @notice A receiver that refuses ETH.
contract Refuser {
    receive() external payable {
        revert("no");
    }
}

/**
 * @notice Cooperative close (settlement v2, issue #12): every participant signs `Close` over a checkpoint, which is
 * final at once; with the leaves given every leaf is paid in the same transaction.
 */
contract ChannelSettlementCloseTest is CloseFixture {
    bytes32 internal id;
    Balance[] internal bals;

    function setUp() public override {
        super.setUp();
        id = _open(3, 2);
        _deposit(id, 0, 1000); // record 0
        _deposit(id, 1, 500); // record 1
        _depositEth(id, 0, 2 ether); // record 2
        _depositEth(id, 2, 1 ether); // record 3
        bals.push(Balance(wallets[0], address(token), 300));
        bals.push(Balance(wallets[1], address(token), 1200));
        bals.push(Balance(wallets[0], address(0), 0.5 ether));
        bals.push(Balance(wallets[2], address(0), 2.5 ether));
    }

    function _final(uint64 version) internal view returns (IChannelSettlement.Checkpoint memory cp) {
        cp = _cp(version, _root(id, version, bals));
        cp.depositCount = 4;
    }

    function _close(IChannelSettlement.Checkpoint memory cp) internal {
        settlement.closeCooperatively(id, cp, _signClose(id, cp, 3), _closeLeaves(id, cp.version, bals));
    }

    function _assertPaidOut(uint256 tokenBefore0, uint256 tokenBefore1, uint256 ethBefore0, uint256 ethBefore2)
        internal
        view
    {
        vm.assertEq(token.balanceOf(wallets[0]), tokenBefore0 + 300, "p0 token");
        vm.assertEq(token.balanceOf(wallets[1]), tokenBefore1 + 1200, "p1 token");
        vm.assertEq(wallets[0].balance, ethBefore0 + 0.5 ether, "p0 eth");
        vm.assertEq(wallets[2].balance, ethBefore2 + 2.5 ether, "p2 eth");
        vm.assertEq(settlement.holdings(id, address(token)), 0, "token holdings");
        vm.assertEq(settlement.holdings(id, address(0)), 0, "eth holdings");
        vm.assertEq(token.balanceOf(address(settlement)), 0, "contract keeps no token");
        vm.assertEq(address(settlement).balance, 0, "contract keeps no eth");
    }

    // ---------------------------------------------------------------- the close itself

    function test_Close_PaysEveryLeafAtOnce() public {
        IChannelSettlement.Checkpoint memory cp = _final(5);
        uint256 e0 = wallets[0].balance;
        uint256 e2 = wallets[2].balance;
        _close(cp);
        _assertPaidOut(0, 0, e0, e2);
        IChannelSettlement.ChannelInfo memory info = settlement.getChannel(id);
        vm.assertTrue(info.status == IChannelSettlement.Status.Finalized, "final at once");
        vm.assertEq(info.checkpoint.version, 5, "version");
        vm.assertEq(info.checkpoint.digest, settlement.hashCheckpoint(id, cp), "digest kept");
        vm.assertEq(info.checkpoint.balancesRoot, bytes32(0), "no root kept: nothing left to claim");
        vm.assertEq(info.deadline, block.timestamp, "no dispute window");
    }

    function test_Close_NoSecondPayout() public {
        IChannelSettlement.Checkpoint memory cp = _final(5);
        _close(cp);
        ICooperativeClose.BalanceLeaf[] memory leaves = _closeLeaves(id, 5, bals);
        bytes[] memory sigs = _signClose(id, cp, 3);
        vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementChannelFinalized.selector, id));
        settlement.closeCooperatively(id, cp, sigs, leaves);
        bytes32[] memory proof = _proof(id, 5, bals, 1);
        vm.prank(wallets[1]);
        vm.expectRevert(IChannelSettlement.ChannelSettlementInvalidProof.selector);
        settlement.claim(id, address(token), 1200, proof);
        vm.prank(wallets[1]);
        vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementCheckpointMismatch.selector, 5, 5));
        settlement.emergencyExit(id, cp, sigs, address(token), 1200, proof);
    }

    function test_Close_WithoutLeavesEveryoneClaims() public {
        IChannelSettlement.Checkpoint memory cp = _final(5);
        settlement.closeCooperatively(id, cp, _signClose(id, cp, 3), _noLeaves());
        IChannelSettlement.ChannelInfo memory info = settlement.getChannel(id);
        vm.assertTrue(info.status == IChannelSettlement.Status.Finalized, "final at once");
        vm.assertEq(info.checkpoint.balancesRoot, cp.balancesRoot, "root kept for claims");
        for (uint256 k = 0; k < bals.length; ++k) {
            bytes32[] memory proof = _proof(id, 5, bals, k);
            vm.prank(bals[k].participant);
            settlement.claimAndWithdraw(id, bals[k].token, bals[k].amount, proof);
        }
        _assertPaidOut(0, 0, 0, 0);
    }

    // ---------------------------------------------------------------- signatures

    function test_Close_NeedsEveryParticipant() public {
        IChannelSettlement.Checkpoint memory cp = _final(5);
        ICooperativeClose.BalanceLeaf[] memory leaves = _closeLeaves(id, 5, bals);
        bytes[] memory two = _signClose(id, cp, 2); // a quorum (t = 2) is not enough
        vm.expectRevert(abi.encodeWithSelector(ICooperativeClose.ChannelSettlementCloseNeedsEveryone.selector, 2, 3));
        settlement.closeCooperatively(id, cp, two, leaves);

        uint256[] memory twice = new uint256[](3);
        twice[0] = 0;
        twice[1] = 1;
        twice[2] = 1;
        bytes[] memory dup = _signClose(id, cp, twice);
        vm.expectRevert(
            abi.encodeWithSelector(IChannelSettlement.ChannelSettlementDuplicateSigner.selector, 2, wallets[1])
        );
        settlement.closeCooperatively(id, cp, dup, leaves);
    }

    /// @dev Everybody signed the checkpoint (as replicas do while trading goes on): that never ends the channel.
    function test_Close_CheckpointSignaturesAreNotAClose() public {
        IChannelSettlement.Checkpoint memory cp = _final(5);
        bytes[] memory cpSigs = _signCp(id, cp, 3);
        ICooperativeClose.BalanceLeaf[] memory leaves = _closeLeaves(id, 5, bals);
        vm.expectPartialRevert(IChannelSettlement.ChannelSettlementUnauthorizedSigner.selector);
        settlement.closeCooperatively(id, cp, cpSigs, leaves);
    }

    /// @dev Close signatures bind the checkpoint: another state under the same signatures is refused.
    function test_Close_SignaturesBindTheCheckpoint() public {
        IChannelSettlement.Checkpoint memory cp = _final(5);
        bytes[] memory sigs = _signClose(id, cp, 3);
        IChannelSettlement.Checkpoint memory other = _final(5);
        other.stateRoot = keccak256("another state");
        vm.expectPartialRevert(IChannelSettlement.ChannelSettlementUnauthorizedSigner.selector);
        settlement.closeCooperatively(id, other, sigs, _closeLeaves(id, 5, bals));
    }

    function test_Close_RotatedKeyRefusedFromItsRotation() public {
        uint256 fresh = _key("fresh", 1);
        bytes memory walletSig =
            _sign(walletKeys[1], settlement.hashSessionKeyRotation(id, wallets[1], vm.addr(fresh), 10, 5));
        settlement.rotateSessionKey(id, wallets[1], vm.addr(fresh), 10, 5, walletSig);

        IChannelSettlement.Checkpoint memory cp = _final(5);
        ICooperativeClose.BalanceLeaf[] memory leaves = _closeLeaves(id, 5, bals);
        bytes[] memory sigs = _signClose(id, cp, 3); // participant 1 signs with its old key
        vm.expectRevert(
            abi.encodeWithSelector(IChannelSettlement.ChannelSettlementRevokedKey.selector, 1, sessions[1], 5)
        );
        settlement.closeCooperatively(id, cp, sigs, leaves);

        sigs[1] = _sign(fresh, settlement.hashClose(id, 5, settlement.hashCheckpoint(id, cp)));
        settlement.closeCooperatively(id, cp, sigs, leaves);
        _assertPaidOut(0, 0, 0, 0);
    }

    // ---------------------------------------------------------------- leaves

    function test_Close_LeavesMustBuildTheRoot() public {
        IChannelSettlement.Checkpoint memory cp = _final(5);
        bytes[] memory sigs = _signClose(id, cp, 3);
        ICooperativeClose.BalanceLeaf[] memory leaves = _closeLeaves(id, 5, bals);

        // one leaf left out: participant 2 would not be paid
        ICooperativeClose.BalanceLeaf[] memory fewer = new ICooperativeClose.BalanceLeaf[](3);
        for (uint256 i = 0; i < 3; ++i) {
            fewer[i] = leaves[i];
        }
        vm.expectPartialRevert(ICooperativeClose.ChannelSettlementLeavesMismatch.selector);
        settlement.closeCooperatively(id, cp, sigs, fewer);

        // one amount raised
        leaves[0].amount += 1;
        vm.expectPartialRevert(ICooperativeClose.ChannelSettlementLeavesMismatch.selector);
        settlement.closeCooperatively(id, cp, sigs, leaves);
        leaves[0].amount -= 1;

        // a leaf twice, or out of order
        ICooperativeClose.BalanceLeaf[] memory twice = new ICooperativeClose.BalanceLeaf[](5);
        for (uint256 i = 0; i < 4; ++i) {
            twice[i] = leaves[i];
        }
        twice[4] = leaves[3];
        vm.expectRevert(abi.encodeWithSelector(ICooperativeClose.ChannelSettlementLeavesNotSorted.selector, 4));
        settlement.closeCooperatively(id, cp, sigs, twice);
        (leaves[0], leaves[1]) = (leaves[1], leaves[0]);
        vm.expectRevert(abi.encodeWithSelector(ICooperativeClose.ChannelSettlementLeavesNotSorted.selector, 1));
        settlement.closeCooperatively(id, cp, sigs, leaves);
    }

    function test_Close_TooManyLeaves() public {
        IChannelSettlement.Checkpoint memory cp = _final(5);
        uint256 max = ChannelSettlement(address(settlement)).MAX_CLOSE_LEAVES();
        ICooperativeClose.BalanceLeaf[] memory many = new ICooperativeClose.BalanceLeaf[](max + 1);
        bytes[] memory sigs = _signClose(id, cp, 3);
        vm.expectRevert(
            abi.encodeWithSelector(ICooperativeClose.ChannelSettlementTooManyLeaves.selector, max + 1, max)
        );
        settlement.closeCooperatively(id, cp, sigs, many);
    }

    /// @dev Leaves worth more than the channel holds (a dishonest checkpoint everybody signed): paid up to the
    /// holdings, the rest recorded as unpaid, never another channel's money.
    function test_Close_ShortfallIsRecordedNotTakenFromOthers() public {
        bytes32 other = _open(_paramsNonce(9));
        _deposit(other, 0, 10_000);
        bals[1].amount = 1300; // 100 more than the channel holds
        IChannelSettlement.Checkpoint memory cp = _final(5);
        ICooperativeClose.BalanceLeaf[] memory leaves = _closeLeaves(id, 5, bals);
        settlement.closeCooperatively(id, cp, _signClose(id, cp, 3), leaves);
        vm.assertEq(
            token.balanceOf(wallets[0]) + token.balanceOf(wallets[1]), 1500, "paid exactly what the channel held"
        );
        vm.assertEq(
            settlement.unpaid(id, wallets[0], address(token)) + settlement.unpaid(id, wallets[1], address(token)),
            100,
            "shortfall recorded"
        );
        vm.assertEq(settlement.holdings(other, address(token)), 10_000, "the other channel untouched");
        vm.assertEq(token.balanceOf(address(settlement)), 10_000, "its tokens still here");
    }

    function _paramsNonce(uint256 nonce) internal returns (IChannelSettlement.OpenParams memory p) {
        p = _params(3, 2);
        p.nonce = nonce;
    }

    // ---------------------------------------------------------------- pending settlement

    function test_Close_OverAPendingProposal() public {
        IChannelSettlement.Checkpoint memory pending = _final(7);
        settlement.propose(id, pending, _signCp(id, pending, 2));
        uint64 deadline = settlement.getChannel(id).deadline;

        IChannelSettlement.Checkpoint memory older = _final(6);
        bytes[] memory sigs = _signClose(id, older, 3);
        ICooperativeClose.BalanceLeaf[] memory leaves = _closeLeaves(id, 6, bals);
        vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementStaleVersion.selector, 6, 7));
        settlement.closeCooperatively(id, older, sigs, leaves);

        vm.warp(block.timestamp + 1 hours);
        IChannelSettlement.Checkpoint memory cp = _final(8);
        settlement.closeCooperatively(id, cp, _signClose(id, cp, 3), _closeLeaves(id, 8, bals));
        IChannelSettlement.ChannelInfo memory info = settlement.getChannel(id);
        vm.assertTrue(info.status == IChannelSettlement.Status.Finalized, "final at once");
        vm.assertEq(info.checkpoint.version, 8, "the close wins");
        vm.assertEq(info.deadline, deadline, "deadline never moves back");
        _assertPaidOut(0, 0, 0, 0);
    }

    /// @dev A same-version close replaces a pending checkpoint whatever the digests: everyone signed the close.
    function test_Close_SameVersionAsPendingReplacesIt() public {
        IChannelSettlement.Checkpoint memory pending = _final(7);
        pending.stateRoot = keccak256("pending");
        settlement.propose(id, pending, _signCp(id, pending, 2));
        IChannelSettlement.Checkpoint memory cp = _final(7);
        settlement.closeCooperatively(id, cp, _signClose(id, cp, 3), _closeLeaves(id, 7, bals));
        vm.assertEq(settlement.getChannel(id).checkpoint.digest, settlement.hashCheckpoint(id, cp), "close wins");
    }

    function test_Close_AfterTheDeadlineFinalizeDecides() public {
        IChannelSettlement.Checkpoint memory pending = _final(7);
        settlement.propose(id, pending, _signCp(id, pending, 2));
        uint64 deadline = settlement.getChannel(id).deadline;
        vm.warp(deadline);
        IChannelSettlement.Checkpoint memory cp = _final(8);
        bytes[] memory sigs = _signClose(id, cp, 3);
        ICooperativeClose.BalanceLeaf[] memory leaves = _closeLeaves(id, 8, bals);
        vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementDisputeClosed.selector, deadline));
        settlement.closeCooperatively(id, cp, sigs, leaves);
    }

    /// @dev A pending exit is a proposal: the close over a higher version replaces it, the exiter is paid its leaf
    /// in the close only.
    function test_Close_OverAPendingExit() public {
        Balance[] memory old = new Balance[](2);
        old[0] = Balance(wallets[0], address(token), 1400);
        old[1] = Balance(wallets[1], address(token), 100);
        IChannelSettlement.Checkpoint memory stale = _cp(3, _root(id, 3, old));
        bytes32[] memory proof = _proof(id, 3, old, 0);
        bytes[] memory cpSigs = _signCp(id, stale, 2);
        vm.prank(wallets[0]);
        settlement.emergencyExit(id, stale, cpSigs, address(token), 1400, proof);
        _close(_final(5));
        _assertPaidOut(0, 0, 0, 0);
    }

    function test_Close_ReplacesAnEscape() public {
        vm.prank(wallets[2]);
        settlement.escape(id);
        vm.warp(block.timestamp + 3 days);
        _close(_final(5));
        IChannelSettlement.ChannelInfo memory info = settlement.getChannel(id);
        vm.assertEq(info.deadline, block.timestamp, "escape replaced, final now");
        vm.assertEq(info.firstProposalAt, block.timestamp, "T0 = now");
        _assertPaidOut(0, 0, 0, 0);
    }

    /// @dev Once closed, a higher checkpoint some keys signed cannot reopen the dispute.
    function test_Close_HigherCheckpointAfterCloseRefused() public {
        _close(_final(5));
        IChannelSettlement.Checkpoint memory higher = _final(9);
        bytes[] memory sigs = _signCp(id, higher, 3);
        vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementChannelFinalized.selector, id));
        settlement.propose(id, higher, sigs);
    }

    // ---------------------------------------------------------------- deposits, forced records, bonds

    function test_Close_UnknownDepositsRefused() public {
        IChannelSettlement.Checkpoint memory cp = _final(5);
        cp.depositCount = 5;
        bytes[] memory sigs = _signClose(id, cp, 3);
        ICooperativeClose.BalanceLeaf[] memory leaves = _closeLeaves(id, 5, bals);
        vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementUnknownDeposits.selector, 5, 4));
        settlement.closeCooperatively(id, cp, sigs, leaves);
    }

    function test_Close_UncreditedDepositRefundable() public {
        uint64 late = _deposit(id, 2, 77); // after the final checkpoint was taken
        _close(_final(5));
        settlement.refundDeposit(id, late);
        vm.assertEq(settlement.owed(wallets[2], address(token)), 77, "refunded");
        vm.prank(wallets[2]);
        settlement.withdraw(address(token));
        vm.assertEq(token.balanceOf(address(settlement)), 0, "nothing stranded");
        vm.expectRevert(
            abi.encodeWithSelector(IChannelSettlement.ChannelSettlementDepositCredited.selector, id, 3, 4)
        );
        settlement.refundDeposit(id, 3);
    }

    function test_Close_OverdueForcedRecordMustBeIncluded() public {
        vm.prank(wallets[2]);
        settlement.forceInclude(id, hex"01");
        uint64 recordedAt = uint64(block.timestamp);
        uint64 delay = settlement.forceInclusionDelay(id);
        vm.warp(block.timestamp + delay);
        IChannelSettlement.Checkpoint memory cp = _final(5);
        bytes[] memory sigs = _signClose(id, cp, 3);
        ICooperativeClose.BalanceLeaf[] memory leaves = _closeLeaves(id, 5, bals);
        vm.expectRevert(
            abi.encodeWithSelector(
                IChannelSettlement.ChannelSettlementForcedOpExcluded.selector, 0, recordedAt, recordedAt + delay
            )
        );
        settlement.closeCooperatively(id, cp, sigs, leaves);
        cp.forcedCount = 1;
        settlement.closeCooperatively(id, cp, _signClose(id, cp, 3), leaves);
        vm.assertEq(settlement.getChannel(id).checkpoint.forcedCount, 1, "included");
    }

    function test_Close_BondsReleasableOneWindowAfter() public {
        _bond(id, 1, 1 ether);
        _bond(id, 2, 1 ether);
        _close(_final(5));
        uint64 unlockAt = uint64(block.timestamp) + WINDOW;
        vm.prank(wallets[2]);
        vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementBondLocked.selector, id, unlockAt));
        settlement.releaseBond(id);
        // evidence still lands inside the window: participant 1's bond goes to 0 and 2
        IChannelSettlement.BlockHeader memory x = _header(id, 1, 9, keccak256("x"));
        IChannelSettlement.BlockHeader memory y = _header(id, 1, 9, keccak256("y"));
        settlement.slash(id, x, y);
        vm.warp(unlockAt);
        vm.prank(wallets[2]);
        settlement.releaseBond(id);
        vm.assertEq(settlement.owed(wallets[2], address(0)), 1.5 ether, "own bond + half the slashed one");
        vm.assertEq(settlement.owed(wallets[0], address(0)), 0.5 ether, "half the slashed one");
    }

    // ---------------------------------------------------------------- recipients that misbehave

    function test_Close_RevertingEthRecipientCannotBlock() public {
        vm.etch(wallets[2], address(new Refuser()).code);
        _close(_final(5));
        vm.assertEq(settlement.owed(wallets[2], address(0)), 2.5 ether, "credited to the pull balance");
        vm.assertEq(wallets[0].balance, 0.5 ether, "the others are paid");
        vm.assertEq(token.balanceOf(wallets[1]), 1200, "the others are paid");
        vm.assertEq(address(settlement).balance, 2.5 ether, "what is still owed stays");
    }

    function test_Close_GasBurningRecipientCannotBlock() public {
        vm.etch(wallets[2], address(new GasBurner()).code);
        IChannelSettlement.Checkpoint memory cp = _final(5);
        bytes[] memory sigs = _signClose(id, cp, 3);
        ICooperativeClose.BalanceLeaf[] memory leaves = _closeLeaves(id, 5, bals);
        settlement.closeCooperatively{gas: 1_000_000}(id, cp, sigs, leaves);
        vm.assertEq(settlement.owed(wallets[2], address(0)), 2.5 ether, "credited to the pull balance");
        vm.assertEq(wallets[0].balance, 0.5 ether, "the others are paid");
    }

    /// @dev A submitter cannot starve the pushes into pull balances by sending too little gas: at every gas limit
    /// the close either reverts or pushes every leaf.
    function test_Close_TooLittleGasRevertsRatherThanDeferring() public {
        IChannelSettlement.Checkpoint memory cp = _final(5);
        bytes memory call = abi.encodeCall(
            settlement.closeCooperatively, (id, cp, _signClose(id, cp, 3), _closeLeaves(id, 5, bals))
        );
        uint256 payoutGasReverts;
        bool closed;
        for (uint256 g = 60_000; g < 600_000 && !closed; g += 5_000) {
            (bool ok, bytes memory ret) = address(settlement).call{gas: g}(call);
            if (ok) {
                closed = true;
            } else if (ret.length >= 4 && bytes4(ret) == ICooperativeClose.ChannelSettlementPayoutGas.selector) {
                ++payoutGasReverts;
            }
        }
        vm.assertTrue(closed, "closes with enough gas");
        vm.assertGe(payoutGasReverts, 1, "named error when short");
        vm.assertEq(settlement.owed(wallets[0], address(0)) + settlement.owed(wallets[2], address(0)), 0, "no eth deferred");
        vm.assertEq(settlement.owed(wallets[0], address(token)) + settlement.owed(wallets[1], address(token)), 0, "none");
        _assertPaidOut(0, 0, 0, 0);
    }

    /// @dev An ERC-777-style token calls the recipient, which re-enters: refused; the payout still goes through.
    function test_Close_ReentryFromATokenHookRefused() public {
        HookToken hook = new HookToken();
        IChannelSettlement.OpenParams memory p = _params(2, 2);
        p.tokens = new address[](1);
        p.tokens[0] = address(hook);
        bytes32 hid = _open(p);
        hook.mint(wallets[1], 1000);
        vm.prank(wallets[1]);
        hook.approve(address(settlement), 1000);
        vm.prank(wallets[1]);
        settlement.deposit(hid, address(hook), 1000);

        Balance[] memory b = new Balance[](2);
        b[0] = Balance(wallets[0], address(hook), 400);
        b[1] = Balance(wallets[1], address(hook), 600);
        IChannelSettlement.Checkpoint memory cp = _cp(2, _root(hid, 2, b));
        cp.depositCount = 1;
        bytes[] memory sigs = _signClose(hid, cp, 2);
        ICooperativeClose.BalanceLeaf[] memory leaves = _closeLeaves(hid, 2, b);

        vm.etch(wallets[0], address(new Reenterer()).code);
        Reenterer attacker = Reenterer(payable(wallets[0]));
        attacker.arm(address(settlement), abi.encodeCall(settlement.withdraw, (address(hook))));
        settlement.closeCooperatively(hid, cp, sigs, leaves);

        vm.assertEq(attacker.attempts(), 1, "re-entry attempted");
        vm.assertFalse(attacker.lastOk(), "re-entry refused");
        vm.assertEq(
            attacker.lastResult(),
            abi.encodeWithSelector(ReentrancyGuard.ReentrancyGuardReentrantCall.selector),
            "by the guard"
        );
        vm.assertEq(hook.balanceOf(wallets[0]), 400, "p0 paid once");
        vm.assertEq(hook.balanceOf(wallets[1]), 600, "p1 paid");
        vm.assertEq(hook.balanceOf(address(settlement)), 0, "nothing left");
    }
}
