// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";

import {ChannelFixture} from "./utils/ChannelFixture.sol";
import {IChannelSettlement} from "../src/interfaces/IChannelSettlement.sol";
import {HookToken} from "./mocks/HookToken.sol";
import {Reenterer} from "./mocks/Reenterer.sol";

/**
 * @notice Re-entrancy from ETH receivers and ERC-777-style token hooks. Participant 0's address is
 * given attacker code (as an EIP-7702 delegated EOA could have); when paid, it re-enters.
 */
contract ChannelSettlementReentrancyTest is ChannelFixture {
    bytes32 internal id;
    HookToken internal hook;
    Reenterer internal attacker;
    Balance[] internal bals;

    function setUp() public override {
        super.setUp();
        hook = new HookToken();
        IChannelSettlement.OpenParams memory p = _params(3, 2);
        p.tokens = new address[](2);
        p.tokens[0] = address(hook);
        p.tokens[1] = address(0);
        id = _open(p);

        // participant 1 funds the channel; participant 0 will be owed money
        hook.mint(wallets[1], 1000);
        vm.prank(wallets[1]);
        hook.approve(address(settlement), 1000);
        vm.prank(wallets[1]);
        settlement.deposit(id, address(hook), 1000);
        _depositEth(id, 1, 10 ether);
        _bond(id, 2, 1 ether);

        bals.push(Balance(wallets[0], address(hook), 400));
        bals.push(Balance(wallets[1], address(hook), 600));
        bals.push(Balance(wallets[0], address(0), 4 ether));
        bals.push(Balance(wallets[1], address(0), 6 ether));
        _finalize(id, _cp(2, _root(id, 2, bals)), 2);

        vm.etch(wallets[0], address(new Reenterer()).code);
        attacker = Reenterer(payable(wallets[0]));
    }

    function _claimAsAttacker(uint256 which) internal {
        bytes32[] memory proof = _proof(id, 2, bals, which);
        vm.prank(wallets[0]);
        settlement.claim(id, bals[which].token, bals[which].amount, proof);
    }

    function _assertRefused() internal view {
        vm.assertEq(attacker.attempts(), 1, "re-entry attempted");
        vm.assertFalse(attacker.lastOk(), "re-entry refused");
        vm.assertEq(
            attacker.lastResult(),
            abi.encodeWithSelector(ReentrancyGuard.ReentrancyGuardReentrantCall.selector),
            "stopped by the guard"
        );
    }

    function test_Withdraw_EthReceiverCannotReenterWithdraw() public {
        _claimAsAttacker(2);
        attacker.arm(address(settlement), abi.encodeCall(settlement.withdraw, (address(0))));
        vm.prank(wallets[0]);
        settlement.withdraw(address(0));
        _assertRefused();
        vm.assertEq(wallets[0].balance, 4 ether, "paid exactly once");
        vm.assertEq(address(settlement).balance, 6 ether + 1 ether, "rest of holdings and the bond stay");
    }

    function test_Withdraw_TokenHookCannotReenterWithdraw() public {
        _claimAsAttacker(0);
        attacker.arm(address(settlement), abi.encodeCall(settlement.withdraw, (address(hook))));
        vm.prank(wallets[0]);
        settlement.withdraw(address(hook));
        _assertRefused();
        vm.assertEq(hook.balanceOf(wallets[0]), 400, "paid exactly once");
        vm.assertEq(hook.balanceOf(address(settlement)), 600, "rest stays");
    }

    function test_Withdraw_CannotReenterClaim() public {
        _claimAsAttacker(2);
        bytes32[] memory proof = _proof(id, 2, bals, 0);
        attacker.arm(address(settlement), abi.encodeCall(settlement.claim, (id, address(hook), 400, proof)));
        vm.prank(wallets[0]);
        settlement.withdraw(address(0));
        _assertRefused();
        vm.assertFalse(settlement.isSettled(id, wallets[0], address(hook)), "claim did not happen inside");
        _claimAsAttacker(0); // and works normally afterwards
    }

    function test_Withdraw_CannotReenterEmergencyExit() public {
        _claimAsAttacker(2);
        bytes32[] memory proof = _proof(id, 2, bals, 0);
        IChannelSettlement.Checkpoint memory cp = _cp(2, _root(id, 2, bals)); // the finalized one
        attacker.arm(
            address(settlement),
            abi.encodeCall(settlement.emergencyExit, (id, cp, new bytes[](0), address(hook), 400, proof))
        );
        vm.prank(wallets[0]);
        settlement.withdraw(address(0));
        _assertRefused();
    }

    function test_Withdraw_CannotReenterSlash() public {
        _claimAsAttacker(2);
        IChannelSettlement.BlockHeader memory a = _header(id, 2, 1, keccak256("a"));
        IChannelSettlement.BlockHeader memory b = _header(id, 2, 1, keccak256("b"));
        attacker.arm(address(settlement), abi.encodeCall(settlement.slash, (id, a, b)));
        vm.prank(wallets[0]);
        settlement.withdraw(address(0));
        _assertRefused();
        vm.assertFalse(settlement.getParticipant(id, wallets[2]).slashed, "not slashed inside");
    }

    function test_SlashReward_CannotReenterOnWithdraw() public {
        // the attacker reports participant 2, then re-enters slash while its reward is paid out
        IChannelSettlement.BlockHeader memory a = _header(id, 2, 1, keccak256("a"));
        IChannelSettlement.BlockHeader memory b = _header(id, 2, 1, keccak256("b"));
        vm.prank(wallets[0]);
        settlement.slash(id, a, b);
        uint256 reward = settlement.owed(wallets[0], address(0));
        IChannelSettlement.BlockHeader memory c = _header(id, 2, 2, keccak256("c"));
        IChannelSettlement.BlockHeader memory d = _header(id, 2, 2, keccak256("d"));
        attacker.arm(address(settlement), abi.encodeCall(settlement.slash, (id, c, d)));
        vm.prank(wallets[0]);
        settlement.withdraw(address(0));
        _assertRefused();
        vm.assertEq(wallets[0].balance, reward, "reward paid once");
    }

    function test_Withdraw_CannotReenterReleaseBond() public {
        _claimAsAttacker(2);
        attacker.arm(address(settlement), abi.encodeCall(settlement.releaseBond, (id)));
        vm.prank(wallets[0]);
        settlement.withdraw(address(0));
        _assertRefused();
    }

    function test_Withdraw_RevertingReceiverLosesNothing() public {
        _claimAsAttacker(2);
        vm.etch(wallets[0], hex"5f5ffd"); // PUSH0 PUSH0 REVERT: refuses every payment
        vm.expectRevert(
            abi.encodeWithSelector(IChannelSettlement.ChannelSettlementEthTransferFailed.selector, wallets[0], 4 ether)
        );
        vm.prank(wallets[0]);
        settlement.withdraw(address(0));
        vm.assertEq(settlement.owed(wallets[0], address(0)), 4 ether, "still owed");
    }
}
