// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

import {ChannelFixture} from "./utils/ChannelFixture.sol";
import {Merkle} from "./utils/Merkle.sol";
import {IChannelSettlement} from "../src/interfaces/IChannelSettlement.sol";
import {NoReturnToken} from "./mocks/NoReturnToken.sol";
import {FeeOnTransferToken} from "./mocks/FeeOnTransferToken.sol";

/// @notice claim, withdraw and emergencyExit: Merkle proofs, once-only flags, holdings bound.
contract ChannelSettlementClaimTest is ChannelFixture {
    bytes32 internal id;
    address internal eth = address(0);

    function setUp() public override {
        super.setUp();
        id = _open(3, 2);
        _deposit(id, 0, 100);
        _deposit(id, 1, 200);
        _deposit(id, 2, 300);
        _depositEth(id, 0, 1 ether);
        _depositEth(id, 1, 2 ether);
    }

    /// @dev Balances after some trading: tokens 150/50/400 (sum 600), ETH 0.5/2.5 (sum 3).
    function _balances() internal view returns (Balance[] memory b) {
        b = new Balance[](5);
        b[0] = Balance(wallets[0], address(token), 150);
        b[1] = Balance(wallets[1], address(token), 50);
        b[2] = Balance(wallets[2], address(token), 400);
        b[3] = Balance(wallets[0], eth, 0.5 ether);
        b[4] = Balance(wallets[1], eth, 2.5 ether);
    }

    function _checkpoint(uint64 version, Balance[] memory b)
        internal
        view
        returns (IChannelSettlement.Checkpoint memory)
    {
        return _cp(version, _root(id, version, b));
    }

    function _claim(uint64 version, Balance[] memory b, uint256 which) internal {
        bytes32[] memory proof = _proof(id, version, b, which);
        vm.prank(b[which].participant);
        settlement.claim(id, b[which].token, b[which].amount, proof);
    }

    function _exit(IChannelSettlement.Checkpoint memory cp, bytes[] memory sigs, Balance[] memory b, uint256 which)
        internal
    {
        bytes32[] memory proof = _proof(id, cp.version, b, which);
        vm.prank(b[which].participant);
        settlement.emergencyExit(id, cp, sigs, b[which].token, b[which].amount, proof);
    }

    // ---------------------------------------------------------------- claim and withdraw

    function test_Claim_EveryoneClaimsAndWithdraws() public {
        Balance[] memory b = _balances();
        _finalize(id, _checkpoint(3, b), 2);

        for (uint256 i = 0; i < b.length; ++i) {
            vm.expectEmit(true, true, true, true);
            emit IChannelSettlement.Claimed(id, b[i].participant, b[i].token, b[i].amount, 0, 3);
            _claim(3, b, i);
            vm.assertTrue(settlement.isSettled(id, b[i].participant, b[i].token), "settled");
        }
        vm.assertEq(settlement.holdings(id, address(token)), 0, "token holdings spent");
        vm.assertEq(settlement.holdings(id, eth), 0, "eth holdings spent");
        vm.assertEq(settlement.owed(wallets[2], address(token)), 400, "owed");

        vm.expectEmit(true, true, false, true);
        emit IChannelSettlement.Withdrawn(wallets[2], address(token), 400);
        vm.prank(wallets[2]);
        settlement.withdraw(address(token));
        vm.assertEq(token.balanceOf(wallets[2]), 400, "token paid");
        vm.assertEq(settlement.owed(wallets[2], address(token)), 0, "owed cleared");

        uint256 before = wallets[1].balance;
        vm.prank(wallets[1]);
        settlement.withdraw(eth);
        vm.assertEq(wallets[1].balance - before, 2.5 ether, "eth paid");
    }

    function test_Claim_LeafMatchesContractHelper() public view {
        Balance memory x = _balances()[2];
        vm.assertEq(settlement.exitLeaf(id, 3, x.participant, x.token, x.amount), _leaf(id, 3, x), "leaf encoding");
    }

    function test_RevertWhen_ClaimTwice() public {
        Balance[] memory b = _balances();
        _finalize(id, _checkpoint(3, b), 2);
        _claim(3, b, 0);
        bytes32[] memory proof = _proof(id, 3, b, 0);
        vm.expectRevert(
            abi.encodeWithSelector(
                IChannelSettlement.ChannelSettlementAlreadySettled.selector, id, wallets[0], address(token)
            )
        );
        vm.prank(wallets[0]);
        settlement.claim(id, address(token), 150, proof);
    }

    function test_RevertWhen_WithdrawTwice() public {
        Balance[] memory b = _balances();
        _finalize(id, _checkpoint(3, b), 2);
        _claim(3, b, 0);
        vm.prank(wallets[0]);
        settlement.withdraw(address(token));
        vm.expectRevert(
            abi.encodeWithSelector(IChannelSettlement.ChannelSettlementNothingToWithdraw.selector, address(token))
        );
        vm.prank(wallets[0]);
        settlement.withdraw(address(token));
    }

    function test_RevertWhen_ClaimBeforeFinalization() public {
        Balance[] memory b = _balances();
        IChannelSettlement.Checkpoint memory cp = _checkpoint(3, b);
        bytes32[] memory proof = _proof(id, 3, b, 0);
        vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementNotFinalized.selector, id));
        vm.prank(wallets[0]);
        settlement.claim(id, address(token), 150, proof);

        settlement.propose(id, cp, _signCp(id, cp, 2));
        vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementNotFinalized.selector, id));
        vm.prank(wallets[0]);
        settlement.claim(id, address(token), 150, proof);
    }

    function test_RevertWhen_ClaimByOutsider() public {
        Balance[] memory b = _balances();
        _finalize(id, _checkpoint(3, b), 2);
        bytes32[] memory proof = _proof(id, 3, b, 0);
        vm.expectRevert(
            abi.encodeWithSelector(IChannelSettlement.ChannelSettlementNotParticipant.selector, id, address(0xbad))
        );
        vm.prank(address(0xbad));
        settlement.claim(id, address(token), 150, proof);
    }

    function test_RevertWhen_ClaimSomeoneElsesBalance() public {
        Balance[] memory b = _balances();
        _finalize(id, _checkpoint(3, b), 2);
        bytes32[] memory proof = _proof(id, 3, b, 2); // participant 2's leaf and proof
        vm.expectRevert(IChannelSettlement.ChannelSettlementInvalidProof.selector);
        vm.prank(wallets[1]);
        settlement.claim(id, address(token), 400, proof);
    }

    function test_RevertWhen_ClaimWrongAmountOrToken() public {
        Balance[] memory b = _balances();
        _finalize(id, _checkpoint(3, b), 2);
        bytes32[] memory proof = _proof(id, 3, b, 0);
        vm.startPrank(wallets[0]);
        vm.expectRevert(IChannelSettlement.ChannelSettlementInvalidProof.selector);
        settlement.claim(id, address(token), 151, proof);
        vm.expectRevert(IChannelSettlement.ChannelSettlementInvalidProof.selector);
        settlement.claim(id, eth, 150, proof);
        vm.expectRevert(IChannelSettlement.ChannelSettlementZeroAmount.selector);
        settlement.claim(id, address(token), 0, proof);
        vm.stopPrank();
    }

    function test_RevertWhen_InternalNodePassedAsLeaf() public {
        Balance[] memory b = _balances();
        _finalize(id, _checkpoint(3, b), 2);
        bytes32[] memory leaves = _leaves(id, 3, b);
        bytes32 root = Merkle.root(leaves);
        bytes32 node = Merkle.node(leaves, 1, 0);
        bytes32[] memory nodeProof = Merkle.nodeProof(leaves, 1, 0);
        // The node with its path is a valid "proof" in the raw MerkleProof sense ...
        vm.assertTrue(MerkleProof.verify(nodeProof, root, node), "raw proof of an internal node");
        // ... but claim() derives the leaf from (channel, version, caller, token, amount) and
        // double-hashes it, so no input turns the node into an accepted leaf.
        vm.startPrank(wallets[0]);
        vm.expectRevert(IChannelSettlement.ChannelSettlementInvalidProof.selector);
        settlement.claim(id, address(token), uint256(node), nodeProof);
        vm.expectRevert(IChannelSettlement.ChannelSettlementInvalidProof.selector);
        settlement.claim(id, address(uint160(uint256(node))), uint256(node), nodeProof);
        vm.stopPrank();
    }

    function test_RevertWhen_SingleHashedLeaf() public {
        // A tree built from single-hashed leaves (not the double-hashed standard) is refused.
        Balance[] memory b = _balances();
        bytes32[] memory single = new bytes32[](b.length);
        for (uint256 i = 0; i < b.length; ++i) {
            single[i] = keccak256(abi.encode(id, uint64(3), b[i].participant, b[i].token, b[i].amount));
        }
        _finalize(id, _cp(3, Merkle.root(single)), 2);
        bytes32[] memory proof = Merkle.proof(single, single[0]);
        vm.expectRevert(IChannelSettlement.ChannelSettlementInvalidProof.selector);
        vm.prank(wallets[0]);
        settlement.claim(id, address(token), 150, proof);
    }

    function test_RevertWhen_ProofAgainstOldRoot() public {
        Balance[] memory old = _balances();
        Balance[] memory latest = _balances();
        latest[0].amount = 50; // participant 0 spent 100 more after version 3
        latest[2].amount = 500;
        settlement.propose(id, _checkpoint(3, old), _signCp(id, _checkpoint(3, old), 2));
        _finalize(id, _checkpoint(4, latest), 2);

        // the old leaf and its proof (version 3) do not verify against the version 4 root
        bytes32[] memory proof = _proof(id, 3, old, 0);
        vm.expectRevert(IChannelSettlement.ChannelSettlementInvalidProof.selector);
        vm.prank(wallets[0]);
        settlement.claim(id, address(token), 150, proof);
        // nor does the old amount under the new version number
        proof = _proof(id, 4, latest, 0);
        vm.expectRevert(IChannelSettlement.ChannelSettlementInvalidProof.selector);
        vm.prank(wallets[0]);
        settlement.claim(id, address(token), 150, proof);

        _claim(4, latest, 0);
        vm.assertEq(settlement.owed(wallets[0], address(token)), 50, "latest amount");
    }

    function test_Claim_ExceedingHoldingsPaysTheRestAndRecordsShortfall() public {
        // A colluding majority signs balances worth more than the channel holds.
        Balance[] memory b = _balances();
        b[2].amount = 1000; // tokens now sum to 1200, the channel holds 600

        // another channel's funds are out of reach
        IChannelSettlement.OpenParams memory p = _params(3, 2);
        p.nonce = 2;
        bytes32 other = _open(p);
        _deposit(other, 0, 5000);

        _finalize(id, _checkpoint(3, b), 2);
        _claim(3, b, 0); // 150 of 600
        _claim(3, b, 2); // 450 of 1000: what is left
        vm.assertEq(settlement.owed(wallets[2], address(token)), 450, "paid what was left");
        vm.assertEq(settlement.unpaid(id, wallets[2], address(token)), 550, "shortfall recorded");
        _claim(3, b, 1); // nothing left for the last claimer, recorded too
        vm.assertEq(settlement.owed(wallets[1], address(token)), 0, "nothing left");
        vm.assertEq(settlement.unpaid(id, wallets[1], address(token)), 50, "its leaf recorded as unpaid");
        vm.assertEq(settlement.holdings(id, address(token)), 0, "channel empty");
        vm.assertEq(settlement.holdings(other, address(token)), 5000, "other channel untouched");
    }

    function test_Claim_SingleLeafTreeHasEmptyProof() public {
        Balance[] memory b = new Balance[](1);
        b[0] = Balance(wallets[1], address(token), 600);
        _finalize(id, _checkpoint(3, b), 2);
        vm.assertEq(_proof(id, 3, b, 0).length, 0, "empty proof");
        _claim(3, b, 0);
        vm.assertEq(settlement.owed(wallets[1], address(token)), 600, "claimed");
    }

    function test_Claim_OddSizedTreePromotesLastNode() public {
        Balance[] memory b = new Balance[](7);
        uint256 total;
        for (uint256 i = 0; i < 7; ++i) {
            b[i] = Balance(wallets[i % 3], i < 3 ? address(token) : address(uint160(0x1000 + i)), 10 + i);
            if (i < 3) total += 10 + i;
        }
        _finalize(id, _checkpoint(3, b), 2);
        for (uint256 i = 0; i < 3; ++i) {
            _claim(3, b, i);
        }
        vm.assertEq(settlement.holdings(id, address(token)), 600 - total, "claimed");
    }

    function test_Claim_NoReturnValueTokenRoundTrip() public {
        NoReturnToken usdt = new NoReturnToken();
        IChannelSettlement.OpenParams memory p = _params(2, 2);
        p.tokens = new address[](1);
        p.tokens[0] = address(usdt);
        bytes32 c = _open(p);
        usdt.mint(wallets[0], 1000);
        vm.prank(wallets[0]);
        usdt.approve(address(settlement), 1000);
        vm.prank(wallets[0]);
        settlement.deposit(c, address(usdt), 1000);

        Balance[] memory b = new Balance[](2);
        b[0] = Balance(wallets[0], address(usdt), 400);
        b[1] = Balance(wallets[1], address(usdt), 600);
        IChannelSettlement.Checkpoint memory cp = _cp(1, _root(c, 1, b));
        _finalize(c, cp, 2);
        bytes32[] memory proof = _proof(c, 1, b, 1);
        vm.prank(wallets[1]);
        settlement.claim(c, address(usdt), 600, proof);
        vm.prank(wallets[1]);
        settlement.withdraw(address(usdt));
        vm.assertEq(usdt.balanceOf(wallets[1]), 600, "paid");
    }

    function test_Claim_FeeOnTransferTokenPaysWhatTheTokenDelivers() public {
        FeeOnTransferToken fee = new FeeOnTransferToken();
        IChannelSettlement.OpenParams memory p = _params(2, 2);
        p.tokens = new address[](1);
        p.tokens[0] = address(fee);
        bytes32 c = _open(p);
        fee.mint(wallets[0], 1000);
        vm.prank(wallets[0]);
        fee.approve(address(settlement), 1000);
        vm.prank(wallets[0]);
        settlement.deposit(c, address(fee), 1000); // 990 arrive and are credited

        Balance[] memory b = new Balance[](2);
        b[0] = Balance(wallets[0], address(fee), 490);
        b[1] = Balance(wallets[1], address(fee), 500);
        _finalize(c, _cp(1, _root(c, 1, b)), 2);
        for (uint256 i = 0; i < 2; ++i) {
            bytes32[] memory proof = _proof(c, 1, b, i);
            vm.prank(wallets[i]);
            settlement.claim(c, address(fee), b[i].amount, proof);
            vm.prank(wallets[i]);
            settlement.withdraw(address(fee));
        }
        vm.assertEq(fee.balanceOf(wallets[1]), 495, "receiver bears the token's fee");
        vm.assertEq(fee.balanceOf(address(settlement)), 0, "nothing left behind");
    }

    // ---------------------------------------------------------------- emergency exit

    function test_Exit_StartsSettlementWithoutPaying() public {
        Balance[] memory b = _balances();
        IChannelSettlement.Checkpoint memory cp = _checkpoint(3, b);
        bytes[] memory sigs = _signCp(id, cp, 2);

        vm.expectEmit(true, true, true, true);
        emit IChannelSettlement.ExitRequested(id, wallets[2], address(token), 400, 3);
        _exit(cp, sigs, b, 2);

        IChannelSettlement.ChannelInfo memory info = settlement.getChannel(id);
        vm.assertEq(uint256(info.status), uint256(IChannelSettlement.Status.Closing), "settlement started");
        vm.assertEq(info.checkpoint.version, 3, "exit checkpoint proposed");
        vm.assertEq(info.deadline, T0 + WINDOW, "deadline");
        vm.assertEq(settlement.owed(wallets[2], address(token)), 0, "not paid before the dispute ends");
        vm.assertEq(settlement.holdings(id, address(token)), 600, "holdings untouched");

        // the same checkpoint serves the next exit without moving the deadline
        vm.warp(T0 + 100);
        _exit(cp, sigs, b, 3);
        vm.assertEq(settlement.getChannel(id).deadline, T0 + WINDOW, "deadline unchanged");

        vm.warp(T0 + WINDOW);
        settlement.finalize(id);
        _claim(3, b, 2);
        vm.prank(wallets[2]);
        settlement.withdraw(address(token));
        vm.assertEq(token.balanceOf(wallets[2]), 400, "paid after finalization");
    }

    function test_RevertWhen_ExitBelowThreshold() public {
        Balance[] memory b = _balances();
        IChannelSettlement.Checkpoint memory cp = _checkpoint(3, b);
        bytes[] memory sigs = _signCp(id, cp, 1);
        bytes32[] memory proof = _proof(id, 3, b, 0);
        vm.expectRevert(
            abi.encodeWithSelector(IChannelSettlement.ChannelSettlementInsufficientSignatures.selector, 1, 2)
        );
        vm.prank(wallets[0]);
        settlement.emergencyExit(id, cp, sigs, address(token), 150, proof);
    }

    function test_RevertWhen_ExitWithDuplicateSignatureFillingTheGap() public {
        Balance[] memory b = _balances();
        IChannelSettlement.Checkpoint memory cp = _checkpoint(3, b);
        uint256[] memory signers = new uint256[](3);
        (signers[0], signers[1], signers[2]) = (0, 1, 1);
        bytes[] memory sigs = _signCp(id, cp, signers);
        bytes32[] memory proof = _proof(id, 3, b, 0);
        vm.expectRevert(
            abi.encodeWithSelector(IChannelSettlement.ChannelSettlementDuplicateSigner.selector, 2, wallets[1])
        );
        vm.prank(wallets[0]);
        settlement.emergencyExit(id, cp, sigs, address(token), 150, proof);
    }

    function test_RevertWhen_ExitAfterClaim() public {
        Balance[] memory b = _balances();
        IChannelSettlement.Checkpoint memory cp = _checkpoint(3, b);
        bytes[] memory sigs = _signCp(id, cp, 3);
        _exit(cp, sigs, b, 0);
        vm.warp(T0 + WINDOW);
        settlement.finalize(id);
        _exit(cp, sigs, b, 0); // after finalization an exit is a claim
        vm.assertEq(settlement.owed(wallets[0], address(token)), 150, "claimed through the exit");
        bytes32[] memory proof = _proof(id, 3, b, 0);
        vm.expectRevert(
            abi.encodeWithSelector(
                IChannelSettlement.ChannelSettlementAlreadySettled.selector, id, wallets[0], address(token)
            )
        );
        vm.prank(wallets[0]);
        settlement.emergencyExit(id, cp, sigs, address(token), 150, proof);
    }

    function test_RevertWhen_ExitByOutsiderOrForSomeoneElse() public {
        Balance[] memory b = _balances();
        IChannelSettlement.Checkpoint memory cp = _checkpoint(3, b);
        bytes[] memory sigs = _signCp(id, cp, 3);
        bytes32[] memory proof = _proof(id, 3, b, 2);
        vm.expectRevert(
            abi.encodeWithSelector(IChannelSettlement.ChannelSettlementNotParticipant.selector, id, address(0xbad))
        );
        vm.prank(address(0xbad));
        settlement.emergencyExit(id, cp, sigs, address(token), 400, proof);
        vm.expectRevert(IChannelSettlement.ChannelSettlementInvalidProof.selector);
        vm.prank(wallets[0]);
        settlement.emergencyExit(id, cp, sigs, address(token), 400, proof);
    }

    function test_Exit_LaterHigherCheckpointWinsForEveryone() public {
        Balance[] memory b3 = _balances();
        IChannelSettlement.Checkpoint memory cp3 = _checkpoint(3, b3);
        _exit(cp3, _signCp(id, cp3, 3), b3, 0); // participant 0 asks to leave with 150 at version 3

        // participants 1 and 2 hold a newer quorum checkpoint where participant 0 has 100; it replaces version 3
        Balance[] memory b4 = _balances();
        b4[0].amount = 100;
        b4[1].amount = 100;
        IChannelSettlement.Checkpoint memory cp4 = _checkpoint(4, b4);
        vm.warp(T0 + 10);
        _finalize(id, cp4, 2);
        vm.assertEq(settlement.getChannel(id).checkpoint.version, 4, "newer version final");

        bytes32[] memory stale = _proof(id, 3, b3, 0);
        vm.expectRevert(IChannelSettlement.ChannelSettlementInvalidProof.selector);
        vm.prank(wallets[0]);
        settlement.claim(id, address(token), 150, stale);
        _claim(4, b4, 0);
        _claim(4, b4, 1);
        _claim(4, b4, 2);
        vm.assertEq(settlement.owed(wallets[0], address(token)), 100, "the exiter gets its final leaf");
        vm.assertEq(settlement.holdings(id, address(token)), 0, "600 paid out, never more");
    }

    function test_RevertWhen_ExitWithStaleCheckpoint() public {
        Balance[] memory b = _balances();
        IChannelSettlement.Checkpoint memory cp5 = _checkpoint(5, b);
        settlement.propose(id, cp5, _signCp(id, cp5, 2));
        IChannelSettlement.Checkpoint memory cp4 = _checkpoint(4, b);
        bytes[] memory sigs = _signCp(id, cp4, 3);
        bytes32[] memory proof = _proof(id, 4, b, 0);
        vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementStaleVersion.selector, 4, 5));
        vm.prank(wallets[0]);
        settlement.emergencyExit(id, cp4, sigs, address(token), 150, proof);
    }

    function test_Exit_NewerCheckpointChallenges() public {
        Balance[] memory b = _balances();
        IChannelSettlement.Checkpoint memory cp5 = _checkpoint(5, b);
        settlement.propose(id, cp5, _signCp(id, cp5, 2));
        vm.warp(T0 + 50);
        IChannelSettlement.Checkpoint memory cp6 = _checkpoint(6, b);
        _exit(cp6, _signCp(id, cp6, 3), b, 1);
        IChannelSettlement.ChannelInfo memory info = settlement.getChannel(id);
        vm.assertEq(info.checkpoint.version, 6, "exit checkpoint now pending");
        vm.assertEq(info.deadline, T0 + 50 + WINDOW, "same deadline rule as a challenge");
    }

    /// Same version, different checkpoint: the lower EIP-712 digest wins whichever arrives first.
    function test_Exit_SameVersionLowerDigestWinsHigherReverts() public {
        Balance[] memory b = _balances();
        Balance[] memory forged = _balances();
        forged[0].amount = 600;
        IChannelSettlement.Checkpoint memory x = _checkpoint(5, b);
        IChannelSettlement.Checkpoint memory y = _checkpoint(5, forged);
        bytes32 dx = settlement.hashCheckpoint(id, x);
        bytes32 dy = settlement.hashCheckpoint(id, y);
        (IChannelSettlement.Checkpoint memory low, Balance[] memory lowBals) = dx < dy ? (x, b) : (y, forged);
        (IChannelSettlement.Checkpoint memory high, Balance[] memory highBals) = dx < dy ? (y, forged) : (x, b);
        bytes32 lowDigest = dx < dy ? dx : dy;

        settlement.propose(id, low, _signCp(id, low, 2));
        bytes[] memory sigs = _signCp(id, high, 3);
        bytes32[] memory proof = _proof(id, 5, highBals, 0);
        vm.expectRevert(
            abi.encodeWithSelector(IChannelSettlement.ChannelSettlementCheckpointConflict.selector, 5, lowDigest)
        );
        vm.prank(wallets[0]);
        settlement.emergencyExit(id, high, sigs, address(token), highBals[0].amount, proof);

        // the other order: the higher digest pending, an exit with the lower one replaces it
        IChannelSettlement.OpenParams memory p = _params(3, 2);
        p.nonce = 9;
        bytes32 other = _open(p);
        IChannelSettlement.Checkpoint memory lowOther = _cp(5, _root(other, 5, lowBals));
        IChannelSettlement.Checkpoint memory highOther = _cp(5, _root(other, 5, highBals));
        if (settlement.hashCheckpoint(other, lowOther) > settlement.hashCheckpoint(other, highOther)) {
            (lowOther, highOther) = (highOther, lowOther);
            (lowBals, highBals) = (highBals, lowBals);
        }
        settlement.propose(other, highOther, _signCp(other, highOther, 2));
        sigs = _signCp(other, lowOther, 2);
        proof = _proof(other, 5, lowBals, 0);
        vm.prank(wallets[0]);
        settlement.emergencyExit(other, lowOther, sigs, address(token), lowBals[0].amount, proof);
        vm.assertEq(
            settlement.getChannel(other).checkpoint.digest, settlement.hashCheckpoint(other, lowOther), "lower won"
        );
    }

    function test_RevertWhen_ExitAfterDeadlineBeforeFinalize() public {
        Balance[] memory b = _balances();
        IChannelSettlement.Checkpoint memory cp = _checkpoint(3, b);
        bytes[] memory sigs = _signCp(id, cp, 3);
        settlement.propose(id, cp, sigs);
        vm.warp(T0 + WINDOW);
        bytes32[] memory proof = _proof(id, 3, b, 0);
        vm.expectRevert(
            abi.encodeWithSelector(IChannelSettlement.ChannelSettlementDisputeClosed.selector, uint64(T0 + WINDOW))
        );
        vm.prank(wallets[0]);
        settlement.emergencyExit(id, cp, sigs, address(token), 150, proof);
    }

    function test_Exit_AgainstFinalizedRootNeedsNoSignatures() public {
        Balance[] memory b = _balances();
        IChannelSettlement.Checkpoint memory cp = _checkpoint(3, b);
        _finalize(id, cp, 2);
        _exit(cp, new bytes[](0), b, 4);
        vm.assertEq(settlement.owed(wallets[1], eth), 2.5 ether, "exited from final root");

        IChannelSettlement.Checkpoint memory other = _checkpoint(2, b);
        bytes32[] memory proof = _proof(id, 2, b, 0);
        vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementCheckpointMismatch.selector, 2, 3));
        vm.prank(wallets[0]);
        settlement.emergencyExit(id, other, new bytes[](0), address(token), 150, proof);
    }
}
